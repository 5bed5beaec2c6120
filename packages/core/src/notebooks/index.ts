export { notebookModel, messageModel, usageEventModel, backfillMessageWeeks, WEEK_BACKFILL_MAX, MESSAGE_STATUSES, type MessageStatus } from "./model.js";
export {
  createNotebook,
  getNotebook,
  mayReadNotebook,
  updateNotebook,
  listNotebooks,
  MESSAGE_SEARCH_WINDOW,
  MESSAGE_SEARCH_WEEKS,
  listMessages,
  notebookWithMessages,
  DEFAULT_TITLE,
  exportNotebook,
  NotebookInput,
  type Notebook,
  type NotebookMessage,
  type NotebookPage,
  type Owner,
} from "./notebooks.js";
export { sendMessage, regenerateReply, editAndResend, deleteMessage, RegenerateInput, chooseModel, allowedModels, defaultModelId, MessageInput, type ChatServices, type ModelPolicy, type SendOptions } from "./chat.js";
export { getModelPolicy, setModelPolicy, ModelPolicyInput } from "./policy.js";
export { settleStaleReplies, STALE_REPLY_MS, INTERRUPTED_REPLY, UNSAVED_REPLY } from "./settle.js";
export { nameNotebook, titleFromText } from "./title.js";
