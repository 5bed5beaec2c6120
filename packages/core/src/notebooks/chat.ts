import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import type { Connection } from "mongoose";
import { RegenerateRequest, SendMessageRequest } from "@tandem/client/contract";
import { costOf, streamChat, type ModelCatalog, type ModelEntry } from "../ai/index.js";
import { isDatabaseUnavailable, isDuplicateKeyError } from "../database/index.js";
import { ConflictError, ForbiddenError, InvalidInputError, isDomainError, NotFoundError, parseInput, UnavailableError } from "../errors/index.js";
import { embedTexts } from "../knowledge/files.js";
import { citedPassages, groundingPrompt, retrievePassages, type Passage } from "../knowledge/retrieve.js";
import { projectContext } from "../projects/context.js";
import { withTenant } from "../tenancy/index.js";
import type { TenantModelPolicy } from "../tenants/organisations.js";
import { messageModel, notebookModel, usageEventModel } from "./model.js";
import { priceUsage } from "../metering/prices.js";
import { replyCeilingTokens, reserveSpend, settleSpend, type SpendAlert } from "../spend/index.js";
import { meterTandemUsage, recordEmbeddingUsage } from "../metering/tandem.js";
import { notebookWithMessages, toMessage, type Notebook, type NotebookMessage, type Owner } from "./notebooks.js";
import { notifyNotebook } from "../live/events.js";
import { partialSaver, settleWhenBack, UNSAVED_REPLY } from "./settle.js";

/** The contract's schema: multi-line text (tabs and line breaks kept, other control characters refused). */
export const MessageInput = SendMessageRequest;

/** What an organisation's admins allow: a list of model ids (empty: all) and a guardrail (the organisation's own type). */
export type ModelPolicy = TenantModelPolicy;

export interface ChatServices {
  readonly bedrock: BedrockRuntimeClient;
  readonly catalog: ModelCatalog;
  readonly policy: ModelPolicy;
  /** The organisation's name, for messages (a spend cap reached names who can raise it). */
  readonly organisationName?: string;
  /** Spend caps' thresholds a reply crossed (50, 80, 100 %), each once: the caller mails them. */
  readonly onSpendAlerts?: (alerts: readonly SpendAlert[]) => void;
}

/**
 * The reply's grounding: passages from the notebook's files and, in a project, from the project's
 * files (its home's), the best `k` of both, when any are ready. The question is embedded once.
 */
async function grounding(connection: Connection, owner: Owner, notebookId: string, question: string, services: ChatServices, tally: { tokens: number }, projectHome?: string, k = 4): Promise<Passage[]> {
  const embeddingModel = services.catalog.embeddingModel();
  if (!embeddingModel) return [];
  if (!projectHome) return retrievePassages(connection, owner, notebookId, question, { bedrock: services.bedrock, embeddingModel, tally }, k);
  let embedded: Promise<ArrayLike<number>> | undefined;
  const embedQuestion = () => (embedded ??= embedTexts(services.bedrock, embeddingModel, [question], undefined, 1, tally).then(([v]) => v!));
  const found = await Promise.all([notebookId, projectHome].map((scope) => retrievePassages(connection, owner, scope, question, { bedrock: services.bedrock, embeddingModel, tally, embedQuestion }, k)));
  return found
    .flat()
    .sort((a, b) => (b.score ?? 0) - (a.score ?? 0))
    .slice(0, k)
    .map((p, i) => ({ ...p, n: i + 1 }));
}

/** Allowed by the organisation's admins and by its tier (an empty list allows every model). */
const isAllowed = (policy: ModelPolicy, model: ModelEntry) =>
  (policy.allowedModelIds.length === 0 || policy.allowedModelIds.includes(model.id)) && (!policy.tierModelIds?.length || policy.tierModelIds.includes(model.id));

/** The chat models the organisation allows, in catalog order (unavailable ones included, marked). */
export function allowedModels(services: Pick<ChatServices, "catalog" | "policy">): ModelEntry[] {
  return services.catalog.chatModels().filter((m) => isAllowed(services.policy, m));
}

/** New notebooks start with the first allowed chat model that can answer here (the catalog's first if none is). */
export function defaultModelId(services: Pick<ChatServices, "catalog" | "policy">): string {
  const usable = (m: ModelEntry) => !m.unavailable;
  return (allowedModels(services).find(usable) ?? services.catalog.chatModels().find(usable) ?? services.catalog.chatModels()[0]!).id;
}

/** The model a member may use, or an error that says which ones they may. */
export function chooseModel(services: ChatServices, modelId: string): ModelEntry {
  const model = services.catalog.find(modelId);
  if (!model || !model.capabilities.includes("text")) {
    throw new InvalidInputError(`There is no chat model "${modelId}". Pick one of the models in the model picker.`, [{ name: "modelId", message: "unknown model" }], "model.unknown");
  }
  if (!isAllowed(services.policy, model)) {
    const names = allowedModels(services).map((m) => m.name);
    throw new ForbiddenError(`Your organisation does not allow ${model.name} for you. Allowed: ${names.join(", ") || "none"}. An owner or admin of the organisation can change this under model policy.`, "model.not_allowed");
  }
  if (model.unavailable) {
    const usable = allowedModels(services).filter((m) => !m.unavailable).map((m) => m.name);
    throw new ForbiddenError(`${model.name} cannot answer here: ${model.unavailable} Pick ${usable.join(" or ") || "another model"}.`, "model.unavailable");
  }
  return model;
}

export interface SendOptions {
  readonly signal?: AbortSignal;
  /** Called once the two messages exist, before the first token. */
  readonly onStart?: (messages: { user: NotebookMessage; assistant: NotebookMessage; notebook: Notebook }) => void;
  readonly onDelta?: (text: string) => void;
  readonly now?: () => Date;
}

/**
 * Sends a user message and streams the model's reply. Both messages are stored (the reply as
 * "streaming", then complete / stopped / failed with its tokens, latency and error), and every
 * reply that used tokens becomes one usage event keyed by the reply's id.
 */
export async function sendMessage(connection: Connection, owner: Owner, notebookId: string, input: unknown, services: ChatServices, options: SendOptions = {}): Promise<NotebookMessage> {
  const data = parseInput(MessageInput, input, "message");
  const { notebook, messages } = await notebookWithMessages(connection, owner, notebookId, "edit");
  return replyTo(connection, owner, { notebook, history: messages, text: data.text, modelId: data.modelId, remove: [] }, services, options);
}

/**
 * A new reply to the latest question: the latest reply (`messageId`) is replaced. A question
 * left without a reply (its reply was removed, or never written) may be named instead.
 */
export async function regenerateReply(connection: Connection, owner: Owner, notebookId: string, messageId: string, input: unknown, services: ChatServices, options: SendOptions = {}): Promise<NotebookMessage> {
  const data = parseInput(RegenerateInput, input ?? {}, "regeneration");
  const { notebook, messages } = await notebookWithMessages(connection, owner, notebookId, "edit");
  refuseWhileStreaming(messages);
  const index = indexOf(messages, messageId);
  if (index !== messages.length - 1) throw new ConflictError("Only the latest reply can be regenerated. To go back further, edit the question you want answered again.", "message.not_latest");
  const target = messages[index]!;
  const question = target.role === "user" ? target : messages[index - 1];
  if (!question || question.role !== "user") throw new ConflictError("This reply answers no question to ask again. Send a new message instead.", "message.no_question");
  const history = messages.slice(0, messages.indexOf(question));
  return replyTo(connection, owner, { notebook, history, text: question.content, modelId: data.modelId, question, remove: target.role === "assistant" ? [target.id] : [] }, services, options);
}

/**
 * A question edited and sent again: it and everything after it are replaced by the new question
 * and its reply (what came after was an answer to the old text).
 */
export async function editAndResend(connection: Connection, owner: Owner, notebookId: string, messageId: string, input: unknown, services: ChatServices, options: SendOptions = {}): Promise<NotebookMessage> {
  const data = parseInput(MessageInput, input, "message");
  const { notebook, messages } = await notebookWithMessages(connection, owner, notebookId, "edit");
  refuseWhileStreaming(messages);
  const index = indexOf(messages, messageId);
  if (messages[index]!.role !== "user") throw new ConflictError("Only your own messages can be edited. Regenerate a reply instead.", "message.not_editable");
  return replyTo(connection, owner, { notebook, history: messages.slice(0, index), text: data.text, modelId: data.modelId, remove: messages.slice(index).map((m) => m.id) }, services, options);
}

/**
 * Deletes one message; a question goes with the reply that answers it (a reply without its
 * question would read as an answer to the one before). Returns the ids removed.
 */
export async function deleteMessage(connection: Connection, owner: Owner, notebookId: string, messageId: string): Promise<string[]> {
  const { messages } = await notebookWithMessages(connection, owner, notebookId, "edit");
  const index = indexOf(messages, messageId);
  const target = messages[index]!;
  const next = messages[index + 1];
  const ids = [target, ...(target.role === "user" && next?.role === "assistant" ? [next] : [])];
  if (ids.some((m) => m.status === "streaming")) throw new ConflictError("This reply is still being written. Stop it first, then delete it.", "reply.in_progress");
  await withTenant(owner.tenantId, () => messageModel(connection).deleteMany({ notebookId, _id: { $in: ids.map((m) => m.id) } }));
  await notifyNotebook(connection, owner, notebookId, "messages.changed", { removed: ids.map((m) => m.id) });
  return ids.map((m) => m.id);
}

export const RegenerateInput = RegenerateRequest;

function indexOf(messages: readonly NotebookMessage[], messageId: string): number {
  const index = messages.findIndex((m) => m.id === messageId);
  if (index < 0) throw new NotFoundError("There is no such message in this notebook. Reload the notebook to see its messages.", "message.not_found");
  return index;
}

function refuseWhileStreaming(messages: readonly NotebookMessage[]): void {
  if (messages.some((m) => m.status === "streaming")) {
    throw new ConflictError("A reply is still being written in this notebook. Wait for it or stop it, then try again.", "reply.in_progress");
  }
}

interface ReplyPlan {
  readonly notebook: Notebook;
  /** The conversation before the question. */
  readonly history: readonly NotebookMessage[];
  readonly text: string;
  readonly modelId?: string;
  /** The stored question, when it is asked again (regenerate); otherwise a new one is stored. */
  readonly question?: NotebookMessage;
  /** Messages replaced by this reply, removed before it is written. */
  readonly remove: readonly string[];
}

async function replyTo(connection: Connection, owner: Owner, plan: ReplyPlan, services: ChatServices, options: SendOptions): Promise<NotebookMessage> {
  const { notebook } = plan;
  const notebookId = notebook.id;
  const data = { text: plan.text };
  const now = options.now ?? (() => new Date());
  const model = chooseModel(services, plan.modelId ?? notebook.modelId);
  const history = plan.history
    .filter((m) => m.content && (m.role === "user" || m.status !== "failed"))
    .map((m) => ({ role: m.role, text: m.content }));

  // Before the first token, in one round trip: both messages in one insert (the user's first:
  // its id and time sort before the reply's), the notebook's activity, and the grounding's first
  // read, which runs on while the stream starts (it needs none of the writes).
  // Spend caps: checked, and the reply's most it can cost reserved, before the model is called.
  // In a project: its instructions come before the notebook's own, and its files ground the reply too.
  const project = await projectContext(connection, owner.tenantId, notebookId, notebook.projectId).catch(() => undefined);
  const inputChars = history.reduce((n, m) => n + m.text.length, data.text.length + (notebook.systemPrompt?.length ?? 0) + (project?.instructions.length ?? 0));
  const ceiling = replyCeilingTokens(model, inputChars);
  const ceilingUsd = async () => (await priceUsage(connection, services.catalog, model, ceiling, now()).catch(() => ({ costUsd: costOf(model, ceiling) }))).costUsd;
  const reservation = await reserveSpend(connection, { ...owner, organisationName: services.organisationName }, ceilingUsd, now());
  // What this reply replaces goes first: a crash after it leaves the question without a reply, which regenerate answers.
  if (plan.remove.length) {
    await withTenant(owner.tenantId, () => messageModel(connection).deleteMany({ notebookId, _id: { $in: [...plan.remove] } })).catch(async (error: unknown) => {
      await settleSpend(connection, reservation, 0).catch(() => undefined);
      throw error;
    });
  }
  // The question's embedding costs too: its tokens are metered with the reply.
  const embedded = { tokens: 0 };
  const passagesRead = grounding(connection, owner, notebookId, data.text, services, embedded, project?.homeNotebookId).catch(() => [] as Passage[]);
  const { user, assistant } = await withTenant(owner.tenantId, async () => {
    const assistantInput = { notebookId, userId: owner.userId, role: "assistant", content: "", modelId: model.id, status: "streaming" };
    const [inserted] = await Promise.all([
      messageModel(connection).insertMany(plan.question ? [assistantInput] : [{ notebookId, userId: owner.userId, role: "user", content: data.text, status: "complete" }, assistantInput]),
      notebookModel(connection).updateOne({ _id: notebookId }, { $set: { lastActivityAt: now(), modelId: model.id } }),
    ]);
    const docs = inserted.map((d) => toMessage(d.toObject()));
    return plan.question ? { user: plan.question, assistant: docs[0]! } : { user: docs[0]!, assistant: docs[1]! };
  });
  options.onStart?.({ user, assistant, notebook });
  // Not awaited: the first token does not wait for the other views to hear of it (publishLive never throws).
  void notifyNotebook(connection, owner, notebookId, "reply.started", { messageId: assistant.id });
  const passages = await passagesRead;
  const systemPrompt = [project?.instructions, notebook.systemPrompt, groundingPrompt(passages)].filter(Boolean).join("\n\n") || undefined;

  let update: Record<string, unknown>;
  let failure: unknown;
  const partial = partialSaver(connection, owner.tenantId, assistant.id);
  try {
    const result = await streamChat(services.bedrock, {
      model,
      systemPrompt,
      history: [...history, { role: "user", text: data.text }],
      guardrail: services.policy.guardrail,
      signal: options.signal,
      onDelta: (text) => {
        partial.push(partial.text + text);
        options.onDelta?.(text);
      },
    });
    update = {
      content: result.text,
      status: result.status,
      inputTokens: result.inputTokens,
      outputTokens: result.outputTokens,
      latencyMs: Math.round(result.latencyMs),
      firstTokenMs: result.firstTokenMs === undefined ? undefined : Math.round(result.firstTokenMs),
      citations: citedPassages(result.text, passages).map(({ n, fileId, fileName, page, chunkIndex, text }) => ({ n, fileId, fileName, page, chunkIndex, text })),
    };
  } catch (error) {
    failure = error;
    update = { status: "failed", content: partial.text, error: isDomainError(error) ? error.message : "The model did not answer. Try again." };
  }

  // The final state is written and read back in one call (no projection: FerretDB v1 has none here).
  const finalWrite = () => withTenant(owner.tenantId, () => messageModel(connection).findOneAndUpdate({ _id: assistant.id }, { $set: update }, { new: true }).lean());
  let savedDoc: Awaited<ReturnType<typeof finalWrite>>;
  try {
    savedDoc = await finalWrite();
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    // The user saw the reply; it is saved, as failed with that text, once the database is back.
    settleWhenBack(connection, owner.tenantId, assistant.id, { status: "failed", content: typeof update.content === "string" ? update.content : partial.text, error: UNSAVED_REPLY });
    throw new UnavailableError("Your reply could not be saved because the database is not answering. It is kept as it appeared and saved when the database is back; try again in a minute.", "database.unavailable", { cause: error });
  }
  await notifyNotebook(connection, owner, notebookId, "messages.changed", { messageId: assistant.id, status: String(update.status) });

  // Metered once per reply (the unique key keeps a retry from counting twice), whatever became of it.
  const meter = async (messageId: string, tokens: { inputTokens: number; outputTokens: number }, status: string) => {
    const embeddingModel = services.catalog.embeddingModel();
    if (embedded.tokens && embeddingModel) {
      await recordEmbeddingUsage(connection, services.catalog, { idempotencyKey: `embedding:reply:${messageId}`, userId: owner.userId, notebookId, model: embeddingModel, tokens: embedded.tokens });
    }
    if (tokens.inputTokens + tokens.outputTokens === 0) {
      await settleSpend(connection, reservation, 0).catch(() => undefined);
      return;
    }
    try {
      const at = now();
      // Priced with the price table's version in force (kept in memory); the catalog's prices if it cannot be read.
      const priced = await priceUsage(connection, services.catalog, model, tokens, at).catch(() => ({ costUsd: costOf(model, tokens), priceVersion: null }));
      // The usage first, then the reservation becomes what the reply cost: a check in between counts
      // the reply twice (refusing early), never not at all (prepaid credits count the usage events).
      const written = usageEventModel(connection).create({ idempotencyKey: `reply:${messageId}`, userId: owner.userId, notebookId, messageId, modelId: model.id, inputTokens: tokens.inputTokens, outputTokens: tokens.outputTokens, ...priced, status, at });
      const usage = await written.finally(async () => {
        // (A failure here is corrected by the hourly recount.)
        const alerts = await settleSpend(connection, reservation, priced.costUsd).catch(() => []);
        if (alerts.length) services.onSpendAlerts?.(alerts);
      });
      // On the meters at once; what fails here, the hourly sweeper meters (metering/tandem.ts).
      await meterTandemUsage(connection, [usage.toObject()]).catch(() => undefined);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  };
  return withTenant(owner.tenantId, async () => {
    if (!savedDoc) {
      // The notebook was deleted while the reply was written (its messages went with it): the
      // model's work is still metered, and the caller learns why there is nothing to show.
      const tokens = { inputTokens: Number(update.inputTokens ?? 0), outputTokens: Number(update.outputTokens ?? 0) };
      await meter(assistant.id, tokens, String(update.status ?? "failed"));
      throw new NotFoundError("This notebook was deleted while the reply was being written.", "notebook.not_found");
    }
    const saved = toMessage(savedDoc);
    await meter(saved.id, saved, saved.status);
    if (failure) throw failure;
    return saved;
  });
}
