import { z } from "zod";
import { FileName, ImagePrompt, MessageText, ModelId, NotebookTitle, ObjectIdString, SystemPrompt } from "./text.js";

export const ModelInfo = z.object({
  id: z.string().describe("Bedrock model id or cross-region inference profile"),
  name: z.string(),
  provider: z.string(),
  contextWindow: z.number(),
  inputPricePer1k: z.number().describe("USD per 1,000 input tokens"),
  outputPricePer1k: z.number().describe("USD per 1,000 output tokens"),
  pricePerImage: z.number().optional().describe("USD per generated image (image models)"),
  capabilities: z.array(z.string()),
  local: z.boolean().describe("true for the local stand-in's test model, which is not a real model"),
  unavailable: z.string().optional().describe("Why the model cannot answer on this Tandem (absent when it can)"),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

/** Which models the members of one group may use (catalog model ids). */
export const GroupModelPolicy = z.object({
  groupId: ObjectIdString,
  models: z.array(ModelId).min(1, "Give the group at least one model").max(100, "Allow at most 100 models"),
});
export const ModelPolicy = z.object({
  allowedModelIds: z.array(ModelId).max(100, "Allow at most 100 models").describe("Empty: every chat model"),
  guardrail: z
    .object({
      id: z.string().regex(/^[a-z0-9]{1,128}$|^arn:aws(-[a-z]+)?:bedrock:[a-z0-9-]+:\d{12}:guardrail\/[a-z0-9]+$/, "Use a guardrail id (e.g. abc123xyz) or its ARN"),
      version: z.string().regex(/^(DRAFT|[1-9]\d{0,7})$/, "Use DRAFT or a version number"),
    })
    .nullable()
    .describe("A Bedrock guardrail applied to every reply, or null for none"),
  groups: z
    .array(GroupModelPolicy)
    .max(200, "Name at most 200 groups")
    .refine((groups) => new Set(groups.map((g) => g.groupId)).size === groups.length, "Name each group once")
    .optional()
    .describe(
      "Models by group of members: a member in one or more of these groups may use the models of those groups (together), instead of allowedModelIds; a member in none of them keeps allowedModelIds. The tier's models bound both. Absent: the groups' rules stay as they are; []: none",
    ),
});
/** A model the AWS account's Bedrock offers in us-east-1, with its access and Tandem's price. */
export const AccountModel = z.object({
  id: z.string().describe("Inference profile id (us.…) or foundation model id"),
  name: z.string(),
  provider: z.string(),
  kind: z.enum(["foundation-model", "inference-profile"]),
  modelIds: z.array(z.string()),
  access: z.enum(["enabled", "not_enabled", "not_in_region", "unknown"]).describe("Model access in the Bedrock console"),
  inCatalog: z.boolean().describe("Offered in notebooks (in BEDROCK_MODELS or the built-in list)"),
  price: z.object({ inputPer1k: z.number(), outputPer1k: z.number() }).nullable().describe("USD per 1,000 tokens in force; null: Tandem has no price for it yet"),
});
export const ModelsResponse = z.object({
  models: z.array(ModelInfo).describe("The chat models you may use here (the organisation's policy, by your groups)"),
  available: z.array(ModelInfo).describe("Every chat model of the catalog, for the admins' choice"),
  defaultModelId: z.string(), policy: ModelPolicy,
  account: z
    .object({ checkedAt: z.string(), models: z.array(AccountModel) })
    .nullable()
    .optional()
    .describe("What this AWS account's Bedrock in us-east-1 offers (read every 10 minutes); null without AWS credentials"),
  accountProblem: z.string().optional().describe("Why the account's models could not be read, and what to do"),
});
export type ModelsResponse = z.infer<typeof ModelsResponse>;

export const Notebook = z.object({
  id: ObjectIdString,
  title: z.string(),
  systemPrompt: z.string(),
  modelId: z.string(),
  createdAt: z.string(),
  lastActivityAt: z.string(),
  access: z.enum(["owner", "edit", "read"]).optional().describe("What you may do with it: owner, or shared with you to edit or read"),
  projectId: ObjectIdString.optional().describe("The project it is in: the project's instructions and files apply to it"),
});
export type Notebook = z.infer<typeof Notebook>;
export const Citation = z.object({ n: z.number(), fileId: ObjectIdString, fileName: z.string(), page: z.number(), chunkIndex: z.number(), text: z.string() });
export type Citation = z.infer<typeof Citation>;
export const MessageStatus = z.enum(["streaming", "complete", "stopped", "failed"]);
export const NotebookMessage = z.object({
  id: ObjectIdString,
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  modelId: z.string().optional(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  latencyMs: z.number().optional(),
  firstTokenMs: z.number().optional(),
  status: MessageStatus,
  error: z.string().optional(),
  citations: z.array(Citation).optional().describe("Passages of knowledge files the reply cites as [n]"),
  authorId: ObjectIdString.optional().describe("Who asked (a question) or whose question it answers (a reply)"),
  createdAt: z.string(),
});
export type NotebookMessage = z.infer<typeof NotebookMessage>;

export const NotebookPage = z.object({
  notebooks: z.array(Notebook),
  nextCursor: z.string().optional().describe("Pass as ?cursor= for the next page"),
  searchedMessages: z.number().int().nonnegative().optional().describe("With ?q on a database without a text index: how many of your messages were searched, newest week first, up to 1,000 over 13 weeks (titles always are)"),
});
export type NotebookPage = z.infer<typeof NotebookPage>;
export const NotebookResponse = z.object({ notebook: Notebook });
export const NotebookWithMessages = z.object({ notebook: Notebook, messages: z.array(NotebookMessage) });
export const NotebookInput = z.object({
  title: NotebookTitle.optional(),
  systemPrompt: SystemPrompt.optional(),
  modelId: ModelId.optional(),
  projectId: ObjectIdString.nullable().optional().describe("Put it in a project you are in (null: take it out of its project)"),
});
export const SendMessageRequest = z.object({ text: MessageText, modelId: ModelId.optional() });
/** A new reply to the latest question, with the notebook's model or another. */
export const RegenerateRequest = z.object({ modelId: ModelId.optional() });
export const DeletedMessagesResponse = z.object({ deleted: z.array(ObjectIdString).describe("The message, and with a question the reply that answered it") });
export const NotebookQuery = z.object({
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, "Pass the nextCursor of the previous page as it was").optional(),
  limit: z.coerce.number().int("Use a whole number").min(1, "Ask for 1 to 100 notebooks").max(100, "Ask for 1 to 100 notebooks").optional(),
  q: z.string().max(200).optional().describe("Search titles and message text"),
});
export const ExportQuery = z.object({ format: z.enum(["markdown", "json"]).default("markdown") });

/** The events of a reply's text/event-stream, in order: start, delta..., then done or error. */
export const StreamStart = z.object({ userMessage: NotebookMessage, assistantMessage: NotebookMessage });
export const StreamDelta = z.object({ text: z.string() });
export const StreamDone = z.object({ message: NotebookMessage });
/** After done, on a notebook's first exchange: the title it was given. */
export const StreamTitle = z.object({ notebook: Notebook });

export const KnowledgeFile = z.object({
  id: ObjectIdString,
  name: z.string(),
  type: z.string(),
  size: z.number(),
  status: z.enum(["uploading", "processing", "ready", "failed"]),
  error: z.string().optional(),
  pages: z.number().describe("Pages read (1 for formats without pages)"),
  chunkCount: z.number().describe("Passages the file was cut into (known once it is read)"),
  embedded: z.number().describe("Passages embedded so far: progress while processing"),
  createdAt: z.string(),
});
export type KnowledgeFile = z.infer<typeof KnowledgeFile>;
export const KnowledgeFilesResponse = z.object({ files: z.array(KnowledgeFile) });
export const KnowledgeFileResponse = z.object({ file: KnowledgeFile });
/** The content types a knowledge file may have (packages/core/src/knowledge/extract.ts names them). */
export const KNOWLEDGE_FILE_TYPES = ["application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "text/markdown", "text/plain", "text/html"] as const;
export const MAX_KNOWLEDGE_FILE_BYTES = 25 * 1024 * 1024;
export const UploadRequest = z.object({
  name: FileName,
  type: z.enum(KNOWLEDGE_FILE_TYPES, { message: "Upload a PDF, Word (DOCX), Markdown, text or HTML file" }),
  size: z
    .number()
    .int("Send the size in whole bytes")
    .positive("The file is empty")
    .max(MAX_KNOWLEDGE_FILE_BYTES, `Files may be at most ${MAX_KNOWLEDGE_FILE_BYTES / 1024 / 1024} MB`)
    .describe("Bytes; at most 25 MB"),
});
export const UploadResponse = z.object({
  file: KnowledgeFile,
  upload: z.object({ url: z.string(), fields: z.record(z.string()) }).describe("POST multipart/form-data: these fields, then the file as `file`"),
});
export type UploadResponse = z.infer<typeof UploadResponse>;

export const GeneratedImage = z.object({ id: ObjectIdString, prompt: z.string(), modelId: z.string(), width: z.number(), height: z.number(), createdAt: z.string(), url: z.string().describe("Presigned, valid for 5 minutes"), downloadUrl: z.string().describe("Presigned like url, answered as a download named after the prompt") });
export type GeneratedImage = z.infer<typeof GeneratedImage>;
export const IMAGE_SIZES = ["512x512", "1024x1024", "1280x720", "720x1280"] as const;
export const ImageRequest = z.object({
  prompt: ImagePrompt,
  size: z.enum(IMAGE_SIZES, { message: `Choose one of ${IMAGE_SIZES.join(", ")}` }).default("1024x1024"),
});
export const ImageResponse = z.object({ image: GeneratedImage });
export const ImagesResponse = z.object({ images: z.array(GeneratedImage) });
