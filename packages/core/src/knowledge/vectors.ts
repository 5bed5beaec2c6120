import { Schema, Types, type Connection, type InferSchemaType, type Model } from "mongoose";
import { tenantScoped } from "../tenancy/index.js";

/**
 * A compact copy of a file's vectors for ranking without reading every passage: blocks of up to
 * BLOCK_SIZE vectors, each quantised to one signed byte a dimension with its own scale, plus the
 * exact norm. Scanning a block gives, for every passage, a lower and an upper bound of its true
 * cosine similarity (the rounding error of each dimension is at most half the scale), so the
 * passages that can still be among the best k are known without their float32 vectors; only those
 * few are then read and ranked exactly. The result is the exact ranking, at about a quarter of the
 * bytes read (a 1,024-dimension float32 vector is 4 KB; its quantised copy 1 KB) and one document
 * per BLOCK_SIZE passages instead of one per passage.
 *
 * The passages stay the source of truth: blocks are written with them under the file's lease and
 * removed with them; a ready file without blocks (stored before they existed) is ranked from its
 * passages directly.
 */
export const BLOCK_SIZE = 256;

const blockSchema = new Schema(
  {
    fileId: { type: Schema.Types.ObjectId, required: true },
    notebookId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    dimensions: { type: Number, required: true },
    // The passages' ids, 12 bytes each, in the order of the vectors below (bytes, not an array of
    // ids: FerretDB stores documents as JSON, where 256 ids cost more to read than the vectors).
    ids: { type: Buffer, required: true },
    // int8 per dimension, vector after vector (ids.length * dimensions bytes).
    quantised: { type: Buffer, required: true },
    // float64 per vector (float32 would flush the step of a tiny vector to zero): the
    // quantisation step (max |component| / 127) and the exact norm.
    scales: { type: Buffer, required: true },
    norms: { type: Buffer, required: true },
  },
  { collection: "knowledge_vectors" },
);
blockSchema.plugin(tenantScoped);
blockSchema.index({ tenantId: 1, fileId: 1 }, { name: "tenant_file" });

export type VectorBlockDocument = InferSchemaType<typeof blockSchema> & { tenantId: unknown; _id: unknown };

export function vectorBlockModel(connection: Connection): Model<VectorBlockDocument> {
  return (connection.models.KnowledgeVectorBlock as Model<VectorBlockDocument> | undefined) ?? connection.model<VectorBlockDocument>("KnowledgeVectorBlock", blockSchema);
}

/** One vector quantised to int8 with its step, and its exact norm. */
export function quantise(vector: ArrayLike<number>): { bytes: Int8Array; scale: number; norm: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i]!;
    max = Math.max(max, Math.abs(x));
    sum += x * x;
  }
  const scale = max / 127;
  const bytes = new Int8Array(vector.length);
  if (scale > 0) for (let i = 0; i < vector.length; i++) bytes[i] = Math.round(vector[i]! / scale);
  return { bytes, scale, norm: Math.sqrt(sum) };
}

/** The blocks of one file's vectors (in passage order), ready to insert. */
export function vectorBlocks(fileId: unknown, notebookId: unknown, ids: readonly unknown[], vectors: ReadonlyArray<ArrayLike<number>>): Array<Record<string, unknown>> {
  const blocks: Array<Record<string, unknown>> = [];
  for (let start = 0; start < vectors.length; start += BLOCK_SIZE) {
    const slice = vectors.slice(start, start + BLOCK_SIZE);
    const dimensions = slice[0]?.length ?? 0;
    const quantised = new Int8Array(slice.length * dimensions);
    const scales = new Float64Array(slice.length);
    const norms = new Float64Array(slice.length);
    slice.forEach((vector, j) => {
      // Quantised from the float32 values the passage stores, so the bounds hold for those.
      const q = quantise(Float32Array.from({ length: dimensions }, (_, i) => vector[i] ?? 0));
      quantised.set(q.bytes, j * dimensions);
      scales[j] = q.scale;
      norms[j] = q.norm;
    });
    blocks.push({
      fileId,
      notebookId,
      seq: start / BLOCK_SIZE,
      dimensions,
      ids: Buffer.concat(ids.slice(start, start + BLOCK_SIZE).map((id) => Buffer.from(new Types.ObjectId(String(id)).id))),
      quantised: Buffer.from(quantised.buffer),
      scales: Buffer.from(scales.buffer),
      norms: Buffer.from(norms.buffer),
    });
  }
  return blocks;
}

const bytesOf = (stored: unknown): Uint8Array => {
  const raw = Buffer.isBuffer(stored) ? stored : (stored as { buffer?: Uint8Array } | null)?.buffer;
  if (!raw) return new Uint8Array(0);
  // A copy, so the typed arrays below start on an aligned offset.
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  return copy;
};

export interface Bounded {
  readonly id: unknown;
  /** The file the passage belongs to (its block's). */
  readonly fileId?: unknown;
  /** Bounds of the passage's true cosine similarity to the query. */
  readonly lower: number;
  readonly upper: number;
}

/** A stored block as the driver returns it. */
export interface StoredBlock {
  readonly fileId?: unknown;
  readonly ids: unknown;
  readonly dimensions: number;
  readonly quantised: unknown;
  readonly scales: unknown;
  readonly norms: unknown;
}

/** The query's norms, computed once per question. */
export function queryNorms(query: ArrayLike<number>): { l2: number; l1: number } {
  let l2 = 0;
  let l1 = 0;
  for (let i = 0; i < query.length; i++) {
    l2 += query[i]! * query[i]!;
    l1 += Math.abs(query[i]!);
  }
  return { l2: Math.sqrt(l2), l1 };
}

/** Calls `offer` with the bounds of every passage's cosine similarity to the query in one block. */
export function blockBounds(query: ArrayLike<number>, norms: { l2: number; l1: number }, block: StoredBlock, offer: (item: Bounded) => void): void {
  const ids = bytesOf(block.ids);
  const quantised = new Int8Array(bytesOf(block.quantised).buffer);
  const scales = new Float64Array(bytesOf(block.scales).buffer);
  const lengths = new Float64Array(bytesOf(block.norms).buffer);
  const d = block.dimensions;
  // Embedded by a model of other dimensions (the catalog's embedding model changed): not comparable
  // with this question at all; such a file needs reading again.
  if (d !== query.length) return;
  const n = Math.min(Math.floor(ids.length / 12), scales.length, lengths.length, Math.floor(quantised.length / Math.max(d, 1)));
  const used = Math.min(d, query.length);
  for (let j = 0; j < n; j++) {
    const length = lengths[j]!;
    if (length === 0 || norms.l2 === 0) continue;
    let dot = 0;
    const base = j * d;
    for (let i = 0; i < used; i++) dot += query[i]! * quantised[base + i]!;
    const scale = scales[j]!;
    const approx = dot * scale;
    // Rounding moved each component by at most scale / 2, so the dot product by at most
    // scale / 2 * |query|_1; the small margins cover the rounding of the arithmetic.
    const error = (scale / 2) * norms.l1 + 1e-6 * Math.abs(approx);
    const denominator = norms.l2 * length;
    offer({ id: new Types.ObjectId(ids.subarray(j * 12, j * 12 + 12)), fileId: block.fileId, lower: (approx - error) / denominator - 1e-5, upper: (approx + error) / denominator + 1e-5 });
  }
}

/**
 * Streams the blocks of the given files within `scope` (the tenant and, for FerretDB to push it
 * down, the notebook) and calls `offer` with every passage's bounds. Memory holds a few blocks at
 * a time. The tenant filter is the caller's: this goes to the driver past the tenancy plugin.
 */
export async function scanVectorBlocks(connection: Connection, scope: { tenantId: Types.ObjectId } & Record<string, unknown>, fileIds: readonly unknown[], query: ArrayLike<number>, offer: (item: Bounded) => void): Promise<void> {
  const norms = queryNorms(query);
  if (norms.l2 === 0 || fileIds.length === 0) return;
  const cursor = vectorBlockModel(connection)
    .collection.find({ ...scope, fileId: { $in: fileIds } }, { projection: { fileId: 1, ids: 1, dimensions: 1, quantised: 1, scales: 1, norms: 1 }, batchSize: 16 })
    .stream();
  for await (const block of cursor as AsyncIterable<StoredBlock>) blockBounds(query, norms, block, offer);
}

/** Removes the blocks of the given files (with their passages). */
export async function deleteVectorBlocks(connection: Connection, filter: { fileId: unknown }): Promise<void> {
  await vectorBlockModel(connection).deleteMany(filter);
}
