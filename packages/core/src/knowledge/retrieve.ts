import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { Types, type Connection } from "mongoose";
import type { ModelEntry } from "../ai/index.js";
import type { Owner } from "../notebooks/notebooks.js";
import { withTenant } from "../tenancy/index.js";
import { embedTexts, knowledgeChunkModel, knowledgeFileModel, unpackVector } from "./files.js";

export interface Passage {
  /** 1-based number the model cites as [n]. */
  readonly n: number;
  readonly fileId: string;
  readonly fileName: string;
  readonly page: number;
  readonly chunkIndex: number;
  readonly text: string;
  readonly score: number;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

interface Scored {
  readonly id: unknown;
  readonly score: number;
}

/** Keeps the k best of a stream of scores, best first (k is small: a sorted insert is enough). */
export function topK(k: number) {
  const best: Scored[] = [];
  return {
    offer(item: Scored) {
      if (item.score <= 0 || (best.length === k && item.score <= best[k - 1]!.score)) return;
      const at = best.findIndex((b) => item.score > b.score);
      best.splice(at === -1 ? best.length : at, 0, item);
      if (best.length > k) best.pop();
    },
    get best(): readonly Scored[] {
      return best;
    },
  };
}

/** Vectors read per batch while ranking: about 1 MB of 256-dimension float32 vectors. */
const RETRIEVAL_BATCH = 1_000;

/**
 * The passages of a notebook's ready files closest to the question, by exact cosine similarity
 * computed in the API, so retrieval works the same on MongoDB, DocumentDB and FerretDB (none of
 * FerretDB v1's operators can rank vectors). Memory does not grow with the number of passages:
 * the vectors are streamed in batches (float32 bytes, without their text) and only the k best
 * are kept; the texts of those k are read afterwards.
 */

export async function retrievePassages(connection: Connection, owner: Owner, notebookId: string, question: string, services: { bedrock: BedrockRuntimeClient; embeddingModel: ModelEntry }, k = 4): Promise<Passage[]> {
  if (!/^[0-9a-f]{24}$/i.test(notebookId) || !/^[0-9a-f]{24}$/i.test(owner.tenantId)) return [];
  return withTenant(owner.tenantId, async () => {
    const files = await knowledgeFileModel(connection).find({ notebookId, status: "ready" }).select({ name: 1 }).lean();
    if (files.length === 0) return [];
    const [query] = await embedTexts(services.bedrock, services.embeddingModel, [question]);
    const ranking = topK(k);
    // One query streamed in batches through the driver's cursor: every engine runs it as a single
    // scan of the notebook's passages (FerretDB's PostgreSQL backend pushes the equality filters
    // down), and memory holds one batch. The tenant filter is written out here because this goes
    // to the driver directly, past the tenancy plugin (which guards mongoose's queries).
    const ready = new Set(files.map((f) => String(f._id)));
    const cursor = knowledgeChunkModel(connection)
      .collection.find({ tenantId: new Types.ObjectId(owner.tenantId), notebookId: new Types.ObjectId(notebookId) }, { projection: { embedding: 1, fileId: 1 }, batchSize: RETRIEVAL_BATCH })
      .stream();
    for await (const chunk of cursor as AsyncIterable<{ _id: unknown; fileId: unknown; embedding: unknown }>) {
      if (ready.has(String(chunk.fileId))) ranking.offer({ id: chunk._id, score: cosine(query!, unpackVector(chunk.embedding)) });
    }
    if (ranking.best.length === 0) return [];
    const winners = await knowledgeChunkModel(connection)
      .find({ _id: { $in: ranking.best.map((b) => b.id) } })
      .select({ fileId: 1, page: 1, index: 1, text: 1 })
      .lean();
    const byId = new Map(winners.map((w) => [String(w._id), w]));
    const names = new Map(files.map((f) => [String(f._id), f.name]));
    return ranking.best.flatMap(({ id, score }, i) => {
      const c = byId.get(String(id));
      return c ? [{ n: i + 1, fileId: String(c.fileId), fileName: names.get(String(c.fileId)) ?? "file", page: c.page, chunkIndex: c.index, text: c.text, score }] : [];
    });
  });
}

/** The system prompt's grounding section: numbered passages and how to cite them. */
export function groundingPrompt(passages: readonly Passage[]): string {
  if (passages.length === 0) return "";
  return [
    "Answer from these passages of the user's files when they are relevant, and cite each passage you use as [n].",
    ...passages.map((p) => `[${p.n}] (${p.fileName}, page ${p.page}): ${p.text}`),
  ].join("\n\n");
}

/** The passages a reply cites, in order of first mention. */
export function citedPassages(reply: string, passages: readonly Passage[]): Passage[] {
  const cited: Passage[] = [];
  for (const match of reply.matchAll(/\[(\d+)\]/g)) {
    const passage = passages.find((p) => p.n === Number(match[1]));
    if (passage && !cited.includes(passage)) cited.push(passage);
  }
  return cited;
}
