import { z } from "zod";

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
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const ModelPolicy = z.object({
  allowedModelIds: z.array(z.string()).describe("Empty: every chat model"),
  guardrail: z.object({ id: z.string(), version: z.string() }).nullable(),
});
export const ModelsResponse = z.object({
  models: z.array(ModelInfo).describe("The chat models this organisation allows"),
  available: z.array(ModelInfo).describe("Every chat model of the catalog, for the admins' choice"),
  defaultModelId: z.string(), policy: ModelPolicy });
export type ModelsResponse = z.infer<typeof ModelsResponse>;

export const Notebook = z.object({ id: z.string(), title: z.string(), systemPrompt: z.string(), modelId: z.string(), createdAt: z.string(), lastActivityAt: z.string() });
export type Notebook = z.infer<typeof Notebook>;
export const Citation = z.object({ n: z.number(), fileId: z.string(), fileName: z.string(), page: z.number(), chunkIndex: z.number(), text: z.string() });
export type Citation = z.infer<typeof Citation>;
export const MessageStatus = z.enum(["streaming", "complete", "stopped", "failed"]);
export const NotebookMessage = z.object({
  id: z.string(),
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
  createdAt: z.string(),
});
export type NotebookMessage = z.infer<typeof NotebookMessage>;

export const NotebookPage = z.object({ notebooks: z.array(Notebook), nextCursor: z.string().optional().describe("Pass as ?cursor= for the next page") });
export const NotebookResponse = z.object({ notebook: Notebook });
export const NotebookWithMessages = z.object({ notebook: Notebook, messages: z.array(NotebookMessage) });
export const NotebookInput = z.object({ title: z.string().optional(), systemPrompt: z.string().optional(), modelId: z.string().optional() });
export const SendMessageRequest = z.object({ text: z.string(), modelId: z.string().optional() });
export const NotebookQuery = z.object({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  q: z.string().max(200).optional().describe("Search titles and message text"),
});
export const ExportQuery = z.object({ format: z.enum(["markdown", "json"]).default("markdown") });

/** The events of a reply's text/event-stream, in order: start, delta..., then done or error. */
export const StreamStart = z.object({ userMessage: NotebookMessage, assistantMessage: NotebookMessage });
export const StreamDelta = z.object({ text: z.string() });
export const StreamDone = z.object({ message: NotebookMessage });

export const KnowledgeFile = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  size: z.number(),
  status: z.enum(["uploading", "processing", "ready", "failed"]),
  error: z.string().optional(),
  pages: z.number(),
  chunkCount: z.number(),
  createdAt: z.string(),
});
export type KnowledgeFile = z.infer<typeof KnowledgeFile>;
export const KnowledgeFilesResponse = z.object({ files: z.array(KnowledgeFile) });
export const KnowledgeFileResponse = z.object({ file: KnowledgeFile });
export const UploadRequest = z.object({ name: z.string(), type: z.string().describe("application/pdf, DOCX, text/markdown, text/plain or text/html"), size: z.number().describe("Bytes; at most 25 MB") });
export const UploadResponse = z.object({
  file: KnowledgeFile,
  upload: z.object({ url: z.string(), fields: z.record(z.string()) }).describe("POST multipart/form-data: these fields, then the file as `file`"),
});
export type UploadResponse = z.infer<typeof UploadResponse>;

export const GeneratedImage = z.object({ id: z.string(), prompt: z.string(), modelId: z.string(), width: z.number(), height: z.number(), createdAt: z.string(), url: z.string().describe("Presigned, valid for 5 minutes") });
export type GeneratedImage = z.infer<typeof GeneratedImage>;
export const ImageRequest = z.object({ prompt: z.string(), size: z.enum(["512x512", "1024x1024", "1280x720", "720x1280"]).optional() });
export const ImageResponse = z.object({ image: GeneratedImage });
export const ImagesResponse = z.object({ images: z.array(GeneratedImage) });
