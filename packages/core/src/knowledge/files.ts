import { InvokeModelCommand, type BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { UploadRequest } from "@tandem/client/contract";
import { randomUUID } from "node:crypto";
import { bedrockError, type ModelCatalog, type ModelEntry } from "../ai/index.js";
import { recordEmbeddingUsage } from "../metering/tandem.js";
import { detectCapabilities, withLease } from "../database/index.js";
import { ConflictError, InvalidInputError, NotFoundError, parseInput, RateLimitedError, UnavailableError } from "../errors/index.js";
import { getNotebook, type Owner } from "../notebooks/notebooks.js";
import { tenantScoped, withTenant } from "../tenancy/index.js";
import { assertFileRoom } from "../tiers/index.js";
import { MAX_KNOWLEDGE_FILE_BYTES, type KnowledgeType } from "./extract.js";
import { KNOWLEDGE_LIMITS, type KnowledgeLimits } from "./limits.js";
import { deadline, isNotFound, isStorageOutage, storageUnavailable } from "./storage.js";
import { engineVector, ensureVectorIndex } from "./vector-search.js";
import { BLOCK_SIZE, deleteVectorBlocks, vectorBlockModel, vectorBlocks } from "./vectors.js";

/** Passages written per insert while a file is stored. */
const INSERT_BATCH = 512;
import { extractInWorker } from "./worker.js";
import { notifyNotebook } from "../live/events.js";

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
    // While it is processed: passages embedded so far (of chunkCount), for the progress shown.
    embedded: { type: Number, default: 0 },
    // Blocks of quantised vectors written with the passages (vectors.ts); absent on files stored before them.
    vectorBlocks: { type: Number },
    // Its passages carry the engine's vector field (vector-search.ts), so the engine's search may rank them.
    engineVectors: { type: Boolean },
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
    // The vector as float32 bytes (4 bytes a dimension; an array of doubles in BSON takes ~4x
    // that, plus a key per element). Older passages may still hold an array of numbers.
    embedding: { type: Schema.Types.Mixed, required: true },
    // On engines with vector search only: the field their index covers (vector-search.ts).
    vector: { type: Schema.Types.Mixed },
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
  /** Passages embedded so far, while processing (of chunkCount, known once the file is read). */
  readonly embedded: number;
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
  embedded: (d as { embedded?: number }).embedded ?? 0,
  createdAt: d.createdAt,
});

export interface KnowledgeServices {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly bedrock: BedrockRuntimeClient;
  readonly embeddingModel: ModelEntry;
  /** The catalog, for pricing the embedding calls with the price table (the model's own price without it). */
  readonly catalog?: ModelCatalog;
  /** Embedding calls in flight per file (EMBEDDING_CONCURRENCY by default). */
  readonly embeddingConcurrency?: number;
  /** What one file may hold (KNOWLEDGE_LIMITS unless a test or operator narrows it). */
  readonly limits?: KnowledgeLimits;
  /**
   * Where the reading and embedding of a completed upload runs: queued (the API passes its jobs
   * queue, so no file is read inside a request) or, without it, right here.
   */
  readonly queue?: { enqueue(job: { kind: "knowledge.process"; tenantId: string; userId: string; notebookId: string; fileId: string }): Promise<void> };
}

/** The presigned POST lives 10 minutes; an upload still not completed 5 minutes after that never will be. */
export const UPLOAD_LINK_SECONDS = 600;
export const STALE_UPLOAD_MS = (UPLOAD_LINK_SECONDS + 300) * 1000;
/** Processing takes seconds (29 s at most on Lambda); one still "processing" after this was cut off by a crash or restart. */
export const STALE_PROCESSING_MS = 10 * 60 * 1000;
export const UPLOAD_EXPIRED_MESSAGE = "The upload did not finish within 10 minutes, so it was cancelled. Upload the file again.";
export const PROCESSING_INTERRUPTED_MESSAGE = "Reading this file was interrupted (the server restarted) and did not finish. Upload the file again.";

/** The contract's schema: the same name rule (no control or text-direction characters), types and size limit. */
export const UploadInput = UploadRequest;

/** Registers a file and returns the presigned POST the browser uploads it with (10 minutes). */
export async function createUpload(connection: Connection, owner: Owner, notebookId: string, input: unknown, services: KnowledgeServices): Promise<{ file: KnowledgeFile; upload: { url: string; fields: Record<string, string> } }> {
  const data = parseInput(UploadInput, input, "file details");
  await getNotebook(connection, owner, notebookId, "edit", { projectFiles: true });
  await assertFileRoom(connection, owner.tenantId);
  const doc = await withTenant(owner.tenantId, async () => {
    const created = await knowledgeFileModel(connection).create({ notebookId, userId: owner.userId, name: data.name, type: data.type, size: data.size, key: "pending", status: "uploading" });
    const key = `tenants/${owner.tenantId}/notebooks/${notebookId}/files/${String(created._id)}`;
    await knowledgeFileModel(connection).updateOne({ _id: created._id }, { $set: { key } });
    return { ...created.toObject(), key };
  });
  await notifyNotebook(connection, owner, notebookId, "files.changed", { fileId: String(doc._id) });
  const upload = await createPresignedPost(services.s3, {
    Bucket: services.bucket,
    Key: doc.key,
    // The policy S3 enforces: exactly this type, and no more than the declared size.
    Conditions: [
      ["content-length-range", 1, data.size],
      ["eq", "$Content-Type", data.type],
    ],
    Fields: { "Content-Type": data.type },
    Expires: UPLOAD_LINK_SECONDS,
  });
  return { file: toFile(doc), upload };
}

async function fileOf(connection: Connection, owner: Owner, notebookId: string, fileId: string, need: "read" | "edit" = "edit"): Promise<KnowledgeFileDocument> {
  const gone = () => new NotFoundError("There is no such file in this notebook. Upload it again.", "knowledge.not_found");
  if (!/^[0-9a-f]{24}$/i.test(fileId)) throw gone();
  await getNotebook(connection, owner, notebookId, need, { projectFiles: true });
  const doc = await withTenant(owner.tenantId, () => knowledgeFileModel(connection).findOne({ _id: fileId, notebookId }).lean());
  if (!doc) throw gone();
  return doc;
}

/** A vector as float32 bytes, the way passages store it. */
export function packVector(vector: ArrayLike<number>): Buffer {
  return Buffer.from(Float32Array.from(vector).buffer);
}

/** A stored vector back as numbers: float32 bytes (BSON binary), or an older array of numbers. */
export function unpackVector(stored: unknown): Float32Array | readonly number[] {
  if (Array.isArray(stored)) return stored as number[];
  const bytes = Buffer.isBuffer(stored) ? stored : (stored as { buffer?: Uint8Array } | null)?.buffer;
  if (!bytes) return [];
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer, 0, Math.floor(copy.byteLength / 4));
}

/** Embedding calls in flight per file by default (Titan's InvokeModel embeds one text a call). */
export const EMBEDDING_CONCURRENCY = 8;

/**
 * One Titan-style embedding call per passage (the model takes one text a call), `concurrency` at
 * a time; throttling is retried with backoff by the Bedrock client. Vectors are kept as float32,
 * half the memory of numbers, which is what passages store anyway.
 */
export async function embedTexts(
  bedrock: BedrockRuntimeClient,
  model: ModelEntry,
  texts: readonly string[],
  onEmbedded?: (done: number) => void,
  concurrency = EMBEDDING_CONCURRENCY,
  /** Adds the tokens the model counted (its inputTextTokenCount; estimated when it gives none), for metering. */
  tally?: { tokens: number },
): Promise<Float32Array[]> {
  const out: Float32Array[] = new Array(texts.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < texts.length) {
      const i = next++;
      try {
        const res = await bedrock.send(new InvokeModelCommand({ modelId: model.id, contentType: "application/json", accept: "application/json", body: JSON.stringify({ inputText: texts[i]!.slice(0, 20_000) }) }));
        const answer = JSON.parse(new TextDecoder().decode(res.body)) as { embedding: number[]; inputTextTokenCount?: number };
        out[i] = Float32Array.from(answer.embedding);
        if (tally) tally.tokens += typeof answer.inputTextTokenCount === "number" ? answer.inputTextTokenCount : Math.ceil(texts[i]!.slice(0, 20_000).length / 4);
        onEmbedded?.(++done);
      } catch (error) {
        throw bedrockError(error, model);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, texts.length)) }, worker));
  return out;
}

/**
 * After the browser's upload: checks the object against what was declared (type and size, again),
 * then checks its content, extracts and chunks it in a worker thread (worker.ts, within
 * KNOWLEDGE_LIMITS) and embeds the passages. The file ends ready, or failed with the reason. A
 * ready file is returned as it is; a failed one (or one whose processing was cut off) can be
 * completed again.
 */
export async function completeUpload(connection: Connection, owner: Owner, notebookId: string, fileId: string, services: KnowledgeServices): Promise<KnowledgeFile> {
  const doc = await fileOf(connection, owner, notebookId, fileId);
  if (doc.status === "ready") return toFile(doc);
  const set = async (fields: Record<string, unknown>) => {
    await withTenant(owner.tenantId, () => knowledgeFileModel(connection).updateOne({ _id: fileId }, { $set: fields }));
    await notifyNotebook(connection, owner, notebookId, "files.changed", { fileId });
  };
  let head: { ContentType?: string; ContentLength?: number };
  try {
    head = await services.s3.send(new HeadObjectCommand({ Bucket: services.bucket, Key: doc.key }), deadline());
  } catch (error) {
    if (isNotFound(error)) throw new InvalidInputError("The file has not arrived in storage. Upload it again.", [], "knowledge.not_uploaded");
    if (isStorageOutage(error)) throw storageUnavailable("the uploaded file could not be checked", error);
    throw error;
  }
  if (head.ContentType !== doc.type || (head.ContentLength ?? 0) > doc.size || (head.ContentLength ?? 0) > MAX_KNOWLEDGE_FILE_BYTES) {
    await services.s3.send(new DeleteObjectCommand({ Bucket: services.bucket, Key: doc.key }), deadline()).catch(() => undefined);
    await set({ status: "failed", error: "The uploaded file does not match its declared type or size." });
    throw new InvalidInputError("The uploaded file does not match its declared type or size, so it was removed. Upload it again.", [], "knowledge.mismatch");
  }
  // One request processes a file at a time: the claim is a single conditional write.
  const claimed = await withTenant(owner.tenantId, () =>
    knowledgeFileModel(connection).updateOne(
      { _id: fileId, $or: [{ status: { $in: ["uploading", "failed"] } }, { status: "processing", updatedAt: { $lt: new Date(Date.now() - STALE_PROCESSING_MS) } }] },
      { $set: { status: "processing", error: null, embedded: 0, chunkCount: 0, pages: 0 } },
    ),
  );
  if (claimed.modifiedCount === 0) {
    const now = await fileOf(connection, owner, notebookId, fileId);
    if (now.status === "ready") return toFile(now);
    throw new ConflictError("This file is being processed already. Wait a moment, then refresh the list of files.", "knowledge.processing");
  }
  await notifyNotebook(connection, owner, notebookId, "files.changed", { fileId });
  if (services.queue) {
    try {
      await services.queue.enqueue({ kind: "knowledge.process", tenantId: owner.tenantId, userId: owner.userId, notebookId, fileId });
    } catch (error) {
      await set({ status: "failed", error: "The file could not be queued for reading. Try again in a minute." });
      throw new UnavailableError("The file could not be queued for reading. Try again in a minute.", "knowledge.queue_unavailable", { cause: error });
    }
    return toFile(await fileOf(connection, owner, notebookId, fileId));
  }
  await processFile(connection, owner, notebookId, fileId, services);
  return toFile(await fileOf(connection, owner, notebookId, fileId));
}

/** The message a failed file shows, and whether trying again may help (storage or Bedrock away). */
function failureOf(error: unknown): { message: string; passing: boolean } {
  if (error instanceof UnavailableError || error instanceof RateLimitedError) return { message: error.message, passing: true };
  if (error instanceof InvalidInputError) return { message: error.message, passing: false };
  return { message: "The file could not be read. Check that it opens on your computer, then upload it again.", passing: false };
}

/**
 * Reads, splits and embeds a claimed file (status "processing"): in the jobs queue's consumer, or
 * inline without a queue. Progress (pages read, passages embedded) is written as it goes. A failure
 * that may pass (storage or Bedrock not answering) is thrown for the queue to retry, and the file
 * stays "processing"; on the last attempt (`lastAttempt`), or for a failure about the file itself,
 * the file ends failed with the reason.
 */
export async function processFile(connection: Connection, owner: Owner, notebookId: string, fileId: string, services: KnowledgeServices, options: { lastAttempt?: boolean } = {}): Promise<void> {
  const doc = await withTenant(owner.tenantId, () => knowledgeFileModel(connection).findOne({ _id: fileId, notebookId }).lean());
  // Deleted meanwhile, or already finished by an earlier delivery of the same job.
  if (!doc || doc.status !== "processing") return;
  const set = async (fields: Record<string, unknown>) => {
    const result = await withTenant(owner.tenantId, () => knowledgeFileModel(connection).updateOne({ _id: fileId, status: "processing" }, { $set: fields }));
    await notifyNotebook(connection, owner, notebookId, "files.changed", { fileId });
    return result;
  };
  try {
    let bytes: Uint8Array;
    try {
      const object = await services.s3.send(new GetObjectCommand({ Bucket: services.bucket, Key: doc.key }), deadline(30_000));
      bytes = await object.Body!.transformToByteArray();
    } catch (error) {
      if (isNotFound(error)) throw new InvalidInputError("The file is no longer in storage. Upload it again.", [], "knowledge.not_uploaded");
      if (isStorageOutage(error)) throw storageUnavailable("the uploaded file could not be read", error);
      throw error;
    }
    const { pages, chunks } = await extractInWorker(bytes, doc.type as KnowledgeType, services.limits ?? KNOWLEDGE_LIMITS);
    if (chunks.length === 0) throw new InvalidInputError("No text could be read from this file (a scanned PDF needs text recognition first).", [], "knowledge.empty");
    await set({ pages, chunkCount: chunks.length, embedded: 0 });
    // Progress is written at most every 25 passages, so the list shows it moving.
    let written = 0;
    const embedded = { tokens: 0 };
    const vectors = await embedTexts(
      services.bedrock,
      services.embeddingModel,
      chunks.map((c) => c.text),
      (done) => {
        if (done - written >= 25) {
          written = done;
          void set({ embedded: done }).catch(() => undefined);
        }
      },
      services.embeddingConcurrency,
      embedded,
    );
    // The embedding calls cost money whatever becomes of the file: metered now, once per reading.
    await withTenant(owner.tenantId, () =>
      recordEmbeddingUsage(connection, services.catalog, { idempotencyKey: `embedding:file:${fileId}:${randomUUID()}`, userId: owner.userId, notebookId, model: services.embeddingModel, tokens: embedded.tokens }),
    ).catch(() => undefined);
    // Where the engine has vector search, passages also carry the field its index covers.
    const engine = (await detectCapabilities(connection)).vectorSearch;
    const indexed = engine !== null && vectors.length > 0 && (await ensureVectorIndex(connection, engine, vectors[0]!.length));
    // Replacing the passages and marking the file ready is one step under the file's lease: a
    // second delivery of the same job that finished reading too finds the file ready and stops,
    // and one that finds the lease still held (the other is storing a large file) leaves the file
    // to it: failing it would throw away the holder's work. A holder that crashed stops touching
    // the file, which expireStaleFiles then ends as interrupted.
    await withLease(connection, `knowledge:${fileId}`, () =>
      withTenant(owner.tenantId, async () => {
        const still = await knowledgeFileModel(connection).exists({ _id: fileId, status: "processing" });
        if (!still) return;
        await removePassages(connection, fileId);
        // In batches, so a file of 20,000 passages is never one message of hundreds of megabytes.
        const ids: unknown[] = [];
        for (let start = 0; start < chunks.length; start += INSERT_BATCH) {
          const batch = chunks.slice(start, start + INSERT_BATCH).map((c, j) => {
            const vector = vectors[start + j]!;
            return { fileId, notebookId, index: c.index, page: c.page, text: c.text, embedding: packVector(vector), ...(indexed ? { vector: engineVector(engine, vector) } : {}) };
          });
          ids.push(...(await knowledgeChunkModel(connection).insertMany(batch)).map((c) => c._id));
        }
        const blocks = vectorBlocks(doc._id, doc.notebookId, ids, vectors);
        for (let start = 0; start < blocks.length; start += INSERT_BATCH / BLOCK_SIZE) await vectorBlockModel(connection).insertMany(blocks.slice(start, start + INSERT_BATCH / BLOCK_SIZE));
        const finished = await set({ status: "ready", pages, chunkCount: chunks.length, embedded: chunks.length, vectorBlocks: blocks.length, engineVectors: indexed, error: null });
        // Deleted (or expired) meanwhile: its passages must not outlive it.
        if (finished.modifiedCount === 0) await removePassages(connection, fileId);
      }),
      // Long enough for the writes of a large file; a crash leaves it to lapse, and the retry redoes it.
      { ttlMs: 10 * 60_000 },
    ).catch((error: unknown) => {
      if (!(error instanceof ConflictError && error.code === "resource.busy")) throw error;
    });
  } catch (error) {
    const { message, passing } = failureOf(error);
    if (passing && !options.lastAttempt && services.queue) throw error;
    await set({ status: "failed", error: message }).catch(() => undefined);
    // Inline (no queue), the caller learns why: storage or Bedrock away is 503, the rest is about the file.
    if (!services.queue) throw error instanceof InvalidInputError || error instanceof UnavailableError ? error : new InvalidInputError(message, [], "knowledge.unreadable");
  }
}

/**
 * Ends what will never finish, in the caller's scope (one tenant's notebook when listing, every
 * tenant from housekeeping): uploads not completed within the presigned POST's life plus a margin
 * become failed and their object is deleted; files left "processing" by a crash become failed (their
 * object is kept, so completing again retries). Returns how many of each.
 */
export async function expireStaleFiles(connection: Connection, storage: Pick<KnowledgeServices, "s3" | "bucket"> | undefined, filter: Record<string, unknown> = {}, now: Date = new Date()): Promise<{ uploads: number; processing: number }> {
  const files = knowledgeFileModel(connection);
  const uploadCutoff = new Date(now.getTime() - STALE_UPLOAD_MS);
  const stale = await files.find({ ...filter, status: "uploading", createdAt: { $lt: uploadCutoff } }).select({ key: 1 }).lean();
  let uploads = 0;
  for (const file of stale) {
    // Conditional, so a file completed meanwhile is left alone.
    const { modifiedCount } = await files.updateOne({ _id: file._id, status: "uploading" }, { $set: { status: "failed", error: UPLOAD_EXPIRED_MESSAGE } });
    if (!modifiedCount) continue;
    uploads++;
    // Best effort: if storage is down the object stays, and deleting the failed file removes it.
    if (storage) await storage.s3.send(new DeleteObjectCommand({ Bucket: storage.bucket, Key: file.key }), deadline(2_000)).catch(() => undefined);
  }
  const interrupted = await files.find({ ...filter, status: "processing", updatedAt: { $lt: new Date(now.getTime() - STALE_PROCESSING_MS) } }).select({ _id: 1 }).lean();
  let processing = 0;
  for (const file of interrupted) {
    const { modifiedCount } = await files.updateOne({ _id: file._id, status: "processing", updatedAt: { $lt: new Date(now.getTime() - STALE_PROCESSING_MS) } }, { $set: { status: "failed", error: PROCESSING_INTERRUPTED_MESSAGE } });
    if (!modifiedCount) continue;
    processing++;
    await removePassages(connection, file._id);
  }
  return { uploads, processing };
}

/** The notebook's files; uploads and processing that will never finish are ended first. */
export async function listFiles(connection: Connection, owner: Owner, notebookId: string, storage?: Pick<KnowledgeServices, "s3" | "bucket">): Promise<KnowledgeFile[]> {
  await getNotebook(connection, owner, notebookId, "read", { projectFiles: true });
  const docs = await withTenant(owner.tenantId, async () => {
    await expireStaleFiles(connection, storage, { notebookId });
    return knowledgeFileModel(connection).find({ notebookId }).sort({ createdAt: 1 }).lean();
  });
  return docs.map(toFile);
}

/** A short-lived link to the file itself, for the viewer that opens a cited passage. */
export async function fileDownloadKey(connection: Connection, owner: Owner, notebookId: string, fileId: string): Promise<{ key: string; name: string; type: string }> {
  const doc = await fileOf(connection, owner, notebookId, fileId, "read");
  return { key: doc.key, name: doc.name, type: doc.type };
}

export async function deleteFile(connection: Connection, owner: Owner, notebookId: string, fileId: string, services: Pick<KnowledgeServices, "s3" | "bucket">): Promise<void> {
  const doc = await fileOf(connection, owner, notebookId, fileId);
  try {
    await services.s3.send(new DeleteObjectCommand({ Bucket: services.bucket, Key: doc.key }), deadline());
  } catch (error) {
    if (!isNotFound(error)) throw isStorageOutage(error) ? storageUnavailable("the file could not be deleted (it is still there)", error) : error;
  }
  await withTenant(owner.tenantId, async () => {
    await removePassages(connection, fileId);
    await knowledgeFileModel(connection).deleteOne({ _id: fileId });
  });
  await notifyNotebook(connection, owner, notebookId, "files.changed", { fileId, removed: true });
}

/** A file's passages and their vector blocks, in the caller's tenant scope. */
async function removePassages(connection: Connection, fileId: unknown): Promise<void> {
  await deleteVectorBlocks(connection, { fileId });
  await knowledgeChunkModel(connection).deleteMany({ fileId });
}
