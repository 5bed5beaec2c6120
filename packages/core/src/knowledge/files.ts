import { InvokeModelCommand, type BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { z } from "zod";
import { bedrockError, type ModelEntry } from "../ai/index.js";
import { InvalidInputError, NotFoundError, parseInput, UnavailableError } from "../errors/index.js";
import { getNotebook, type Owner } from "../notebooks/notebooks.js";
import { tenantScoped, withTenant } from "../tenancy/index.js";
import { chunkPages, extractText, isKnowledgeType, KNOWLEDGE_TYPES, MAX_KNOWLEDGE_FILE_BYTES, type KnowledgeType } from "./extract.js";

/**
 * Knowledge files: uploaded by the browser straight to the knowledge-files bucket with a presigned
 * POST (whose policy enforces size and type), checked again after upload, then extracted, cut into
 * passages and embedded with a Bedrock embedding model. Passages are stored with their vectors.
 */
const fileSchema = new Schema(
  {
    notebookId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    type: { type: String, required: true },
    size: { type: Number, required: true },
    key: { type: String, required: true },
    status: { type: String, enum: ["uploading", "processing", "ready", "failed"], required: true },
    error: { type: String },
    pages: { type: Number, default: 0 },
    chunkCount: { type: Number, default: 0 },
  },
  { timestamps: true, collection: "knowledge_files" },
);
fileSchema.plugin(tenantScoped);
fileSchema.index({ tenantId: 1, notebookId: 1 }, { name: "tenant_notebook" });

const chunkSchema = new Schema(
  {
    fileId: { type: Schema.Types.ObjectId, required: true },
    notebookId: { type: Schema.Types.ObjectId, required: true },
    index: { type: Number, required: true },
    page: { type: Number, required: true },
    text: { type: String, required: true },
    embedding: { type: [Number], required: true },
  },
  { collection: "knowledge_chunks" },
);
chunkSchema.plugin(tenantScoped);
chunkSchema.index({ tenantId: 1, notebookId: 1 }, { name: "tenant_notebook" });

export type KnowledgeFileDocument = InferSchemaType<typeof fileSchema> & { tenantId: unknown; _id: unknown; createdAt: Date };
export type KnowledgeChunkDocument = InferSchemaType<typeof chunkSchema> & { tenantId: unknown; _id: unknown };

export function knowledgeFileModel(connection: Connection): Model<KnowledgeFileDocument> {
  return (connection.models.KnowledgeFile as Model<KnowledgeFileDocument> | undefined) ?? connection.model<KnowledgeFileDocument>("KnowledgeFile", fileSchema);
}
export function knowledgeChunkModel(connection: Connection): Model<KnowledgeChunkDocument> {
  return (connection.models.KnowledgeChunk as Model<KnowledgeChunkDocument> | undefined) ?? connection.model<KnowledgeChunkDocument>("KnowledgeChunk", chunkSchema);
}

export interface KnowledgeFile {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly status: "uploading" | "processing" | "ready" | "failed";
  readonly error?: string;
  readonly pages: number;
  readonly chunkCount: number;
  readonly createdAt: Date;
}

const toFile = (d: KnowledgeFileDocument): KnowledgeFile => ({
  id: String(d._id),
  name: d.name,
  type: d.type,
  size: d.size,
  status: d.status,
  error: d.error ?? undefined,
  pages: d.pages ?? 0,
  chunkCount: d.chunkCount ?? 0,
  createdAt: d.createdAt,
});

export interface KnowledgeServices {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly bedrock: BedrockRuntimeClient;
  readonly embeddingModel: ModelEntry;
}

export const UploadInput = z.object({
  name: z.string().trim().min(1).max(255),
  type: z.string().refine(isKnowledgeType, { message: `Upload ${Object.values(KNOWLEDGE_TYPES).join(", ")} files` }),
  size: z
    .number()
    .int()
    .positive("The file is empty")
    .max(MAX_KNOWLEDGE_FILE_BYTES, `Files may be at most ${MAX_KNOWLEDGE_FILE_BYTES / 1024 / 1024} MB`),
});

/** Registers a file and returns the presigned POST the browser uploads it with (10 minutes). */
export async function createUpload(connection: Connection, owner: Owner, notebookId: string, input: unknown, services: KnowledgeServices): Promise<{ file: KnowledgeFile; upload: { url: string; fields: Record<string, string> } }> {
  const data = parseInput(UploadInput, input, "file details");
  await getNotebook(connection, owner, notebookId);
  const doc = await withTenant(owner.tenantId, async () => {
    const created = await knowledgeFileModel(connection).create({ notebookId, userId: owner.userId, name: data.name, type: data.type, size: data.size, key: "pending", status: "uploading" });
    const key = `tenants/${owner.tenantId}/notebooks/${notebookId}/files/${String(created._id)}`;
    await knowledgeFileModel(connection).updateOne({ _id: created._id }, { $set: { key } });
    return { ...created.toObject(), key };
  });
  const upload = await createPresignedPost(services.s3, {
    Bucket: services.bucket,
    Key: doc.key,
    // The policy S3 enforces: exactly this type, and no more than the declared size.
    Conditions: [
      ["content-length-range", 1, data.size],
      ["eq", "$Content-Type", data.type],
    ],
    Fields: { "Content-Type": data.type },
    Expires: 600,
  });
  return { file: toFile(doc), upload };
}

async function fileOf(connection: Connection, owner: Owner, notebookId: string, fileId: string): Promise<KnowledgeFileDocument> {
  const gone = () => new NotFoundError("There is no such file in this notebook. Upload it again.", "knowledge.not_found");
  if (!/^[0-9a-f]{24}$/i.test(fileId)) throw gone();
  await getNotebook(connection, owner, notebookId);
  const doc = await withTenant(owner.tenantId, () => knowledgeFileModel(connection).findOne({ _id: fileId, notebookId }).lean());
  if (!doc) throw gone();
  return doc;
}

/** One Titan-style embedding call per passage, a few at a time. */
export async function embedTexts(bedrock: BedrockRuntimeClient, model: ModelEntry, texts: readonly string[]): Promise<number[][]> {
  const out: number[][] = new Array(texts.length);
  let next = 0;
  const worker = async () => {
    while (next < texts.length) {
      const i = next++;
      try {
        const res = await bedrock.send(new InvokeModelCommand({ modelId: model.id, contentType: "application/json", accept: "application/json", body: JSON.stringify({ inputText: texts[i]!.slice(0, 20_000) }) }));
        out[i] = (JSON.parse(new TextDecoder().decode(res.body)) as { embedding: number[] }).embedding;
      } catch (error) {
        throw bedrockError(error, model);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, texts.length) }, worker));
  return out;
}

/**
 * After the browser's upload: checks the object against what was declared (type and size, again),
 * extracts, chunks and embeds it. The file ends ready, or failed with the reason.
 */
export async function completeUpload(connection: Connection, owner: Owner, notebookId: string, fileId: string, services: KnowledgeServices): Promise<KnowledgeFile> {
  const doc = await fileOf(connection, owner, notebookId, fileId);
  const set = (fields: Record<string, unknown>) => withTenant(owner.tenantId, () => knowledgeFileModel(connection).updateOne({ _id: fileId }, { $set: fields }));
  let head;
  try {
    head = await services.s3.send(new HeadObjectCommand({ Bucket: services.bucket, Key: doc.key }));
  } catch {
    throw new InvalidInputError("The file has not arrived in storage. Upload it again.", [], "knowledge.not_uploaded");
  }
  if (head.ContentType !== doc.type || (head.ContentLength ?? 0) > doc.size || (head.ContentLength ?? 0) > MAX_KNOWLEDGE_FILE_BYTES) {
    await services.s3.send(new DeleteObjectCommand({ Bucket: services.bucket, Key: doc.key }));
    await set({ status: "failed", error: "The uploaded file does not match its declared type or size." });
    throw new InvalidInputError("The uploaded file does not match its declared type or size, so it was removed. Upload it again.", [], "knowledge.mismatch");
  }
  await set({ status: "processing" });
  try {
    const object = await services.s3.send(new GetObjectCommand({ Bucket: services.bucket, Key: doc.key }));
    const bytes = await object.Body!.transformToByteArray();
    const pages = await extractText(bytes, doc.type as KnowledgeType);
    const chunks = chunkPages(pages);
    if (chunks.length === 0) throw new InvalidInputError("No text could be read from this file (a scanned PDF needs text recognition first).", [], "knowledge.empty");
    const vectors = await embedTexts(services.bedrock, services.embeddingModel, chunks.map((c) => c.text));
    await withTenant(owner.tenantId, async () => {
      await knowledgeChunkModel(connection).deleteMany({ fileId });
      await knowledgeChunkModel(connection).insertMany(chunks.map((c, i) => ({ fileId, notebookId, index: c.index, page: c.page, text: c.text, embedding: vectors[i] })));
    });
    await set({ status: "ready", pages: pages.length, chunkCount: chunks.length, error: null });
  } catch (error) {
    const message = error instanceof InvalidInputError || error instanceof UnavailableError ? error.message : "The file could not be read. Check that it opens on your computer, then upload it again.";
    await set({ status: "failed", error: message });
    throw error instanceof InvalidInputError ? error : new InvalidInputError(message, [], "knowledge.unreadable");
  }
  return toFile((await fileOf(connection, owner, notebookId, fileId)));
}

export async function listFiles(connection: Connection, owner: Owner, notebookId: string): Promise<KnowledgeFile[]> {
  await getNotebook(connection, owner, notebookId);
  const docs = await withTenant(owner.tenantId, () => knowledgeFileModel(connection).find({ notebookId }).sort({ createdAt: 1 }).lean());
  return docs.map(toFile);
}

/** A short-lived link to the file itself, for the viewer that opens a cited passage. */
export async function fileDownloadKey(connection: Connection, owner: Owner, notebookId: string, fileId: string): Promise<{ key: string; name: string; type: string }> {
  const doc = await fileOf(connection, owner, notebookId, fileId);
  return { key: doc.key, name: doc.name, type: doc.type };
}

export async function deleteFile(connection: Connection, owner: Owner, notebookId: string, fileId: string, services: Pick<KnowledgeServices, "s3" | "bucket">): Promise<void> {
  const doc = await fileOf(connection, owner, notebookId, fileId);
  await services.s3.send(new DeleteObjectCommand({ Bucket: services.bucket, Key: doc.key }));
  await withTenant(owner.tenantId, async () => {
    await knowledgeChunkModel(connection).deleteMany({ fileId });
    await knowledgeFileModel(connection).deleteOne({ _id: fileId });
  });
}
