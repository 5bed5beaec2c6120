import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { Types, type Connection } from "mongoose";
import type { ModelEntry } from "../ai/index.js";
import type { Owner } from "../notebooks/notebooks.js";
import { withTenant } from "../tenancy/index.js";
import { embedTexts, knowledgeChunkModel, knowledgeFileModel, unpackVector } from "./files.js";
import { detectCapabilities } from "../database/index.js";
import { cosineFromScore, vectorSearchPipeline, type VectorEngine } from "./vector-search.js";
import { scanVectorBlocks } from "./vectors.js";

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
      // Not a finite positive number (a stored vector or a question embedded with NaN or Infinity):
      // it would hold a place forever, since nothing compares greater than NaN.
      if (!(item.score > 0 && Number.isFinite(item.score)) || (best.length === k && item.score <= best[k - 1]!.score)) return;
      const at = best.findIndex((b) => item.score > b.score);
      best.splice(at === -1 ? best.length : at, 0, item);
      if (best.length > k) best.pop();
    },
    get best(): readonly Scored[] {
      return best;
    },
  };
}

/** Passages whose vectors are read per batch in the exact steps: about 1 MB of 256-dimension float32 vectors. */
const RETRIEVAL_BATCH = 1_000;
type StoredPassage = { _id: unknown; fileId: unknown; page: number; index: number; text: string; embedding?: unknown };
const PASSAGE = { fileId: 1, page: 1, index: 1, text: 1, embedding: 1 } as const;
/** Candidates read at once, each by its id: FerretDB v1 pushes `_id` equality down, never `$in`. */
const PARALLEL_READS = 8;
/**
 * Rounds of reads by id before the rest of the candidates are read with one streamed query per
 * file instead: passages whose bounds overlap (near-duplicates, a paragraph repeated through a
 * file) can tie, and ties never let the exact step stop early, which would cost one round trip
 * per passage of the file.
 */
const ROUNDS_BY_ID = 4;

type Candidate = { id: unknown; upper: number; fileId?: unknown };

/**
 * Ranks the candidates exactly, best upper bound first, a few at a time, each read by id (its text
 * with it, so the winners need no second read), and stops once no candidate left can beat the k-th
 * best exact score. Usually one round; after ROUNDS_BY_ID, the candidates left are ranked from one
 * streamed read of each of their files (tenant, notebook and file equality, which FerretDB pushes
 * down), and the winners' text is read afterwards.
 */
async function rankCandidates(connection: Connection, scope: { tenantId: Types.ObjectId; notebookId: Types.ObjectId }, candidates: Candidate[], query: ArrayLike<number>, ranking: ReturnType<typeof topK>, k: number): Promise<Map<string, StoredPassage>> {
  const read = new Map<string, StoredPassage>();
  const collection = knowledgeChunkModel(connection).collection;
  const kth = () => (ranking.best.length === k ? ranking.best[k - 1]!.score : 0);
  candidates.sort((a, b) => b.upper - a.upper);
  let i = 0;
  for (let round = 0; i < candidates.length && round < ROUNDS_BY_ID; i += PARALLEL_READS, round++) {
    if (candidates[i]!.upper <= kth()) return read;
    const found = await Promise.all(candidates.slice(i, i + PARALLEL_READS).map(({ id }) => collection.findOne({ _id: id, tenantId: scope.tenantId } as never, { projection: PASSAGE })));
    for (const passage of found as unknown as Array<StoredPassage | null>) {
      if (!passage) continue;
      read.set(String(passage._id), passage);
      ranking.offer({ id: passage._id, score: cosine(query, unpackVector(passage.embedding)) });
    }
  }
  const threshold = kth();
  const rest = candidates.slice(i).filter((c) => c.upper > threshold);
  if (rest.length === 0) return read;
  const wanted = new Set(rest.map((c) => String(c.id)));
  const files = [...new Map(rest.map((c) => [String(c.fileId), c.fileId])).values()];
  for (const fileId of files) {
    const cursor = collection.find({ ...scope, fileId } as never, { projection: { embedding: 1 }, batchSize: RETRIEVAL_BATCH }).stream();
    for await (const chunk of cursor as AsyncIterable<{ _id: unknown; embedding: unknown }>) {
      if (wanted.has(String(chunk._id))) ranking.offer({ id: chunk._id, score: cosine(query, unpackVector(chunk.embedding)) });
    }
  }
  return read;
}

/**
 * The engine's vector search (vector-search.ts), best first with cosine scores; undefined when the
 * engine refuses (the index is missing or still building), so the exact scan answers instead.
 */
async function engineSearch(connection: Connection, engine: VectorEngine, query: Parameters<typeof vectorSearchPipeline>[1]): Promise<Array<{ passage: StoredPassage; score: number }> | undefined> {
  const pipeline = vectorSearchPipeline(engine, query);
  // DocumentDB returns no score: the stored vector comes along so the cosine is computed here.
  if (engine === "documentdb") (pipeline[pipeline.length - 1]!.$project as Record<string, unknown>).embedding = 1;
  try {
    const found = (await knowledgeChunkModel(connection).collection.aggregate(pipeline).toArray()) as Array<StoredPassage & { score?: number }>;
    return found.map((passage) => ({ passage, score: engine === "mongodb" ? cosineFromScore(passage.score ?? 0) : cosine(query.vector, unpackVector(passage.embedding)) }));
  } catch {
    return undefined;
  }
}

/**
 * The ids of the passages that can be among the k best: from the bounds of the quantised blocks,
 * every passage whose upper bound reaches the k-th best lower bound. Memory holds one block and
 * the candidates (an id and a number each), pruned as the threshold rises.
 */
async function candidatesFromBlocks(connection: Connection, scope: { tenantId: Types.ObjectId } & Record<string, unknown>, fileIds: readonly unknown[], query: ArrayLike<number>, k: number): Promise<Candidate[]> {
  const lowers: number[] = [];
  let threshold = 0;
  let candidates: Candidate[] = [];
  await scanVectorBlocks(connection, scope, fileIds, query, ({ id, fileId, lower, upper }) => {
    // Only positive similarities are ever returned (topK), so the threshold starts at 0.
    if (upper <= threshold) return;
    candidates.push({ id, upper, fileId });
    if (lower > threshold) {
      const at = lowers.findIndex((l) => lower > l);
      lowers.splice(at === -1 ? lowers.length : at, 0, lower);
      if (lowers.length > k) lowers.pop();
      if (lowers.length === k) threshold = lowers[k - 1]!;
    }
    if (candidates.length > 4 * RETRIEVAL_BATCH) candidates = candidates.filter((c) => c.upper > threshold);
  });
  return candidates.filter((c) => c.upper > threshold);
}

/**
 * The passages of a notebook's ready files closest to the question, by exact cosine similarity
 * computed in the API, so retrieval works the same on MongoDB, DocumentDB and FerretDB (none of
 * FerretDB v1's operators can rank vectors). Files with vector blocks (vectors.ts) are scanned
 * quantised, and only the passages that can still win are read in float32 and ranked; files
 * stored before blocks existed are ranked from their passages. Either way the result is the exact
 * ranking, and memory does not grow with the number of passages. The scope is a list of files,
 * so a wider scope (a project's files) is the same query with more ids.
 */
export async function retrievePassages(
  connection: Connection,
  owner: Owner,
  notebookId: string,
  question: string,
  services: { bedrock: BedrockRuntimeClient; embeddingModel: ModelEntry; tally?: { tokens: number }; embedQuestion?: () => Promise<ArrayLike<number>> },
  k = 4,
): Promise<Passage[]> {
  if (!/^[0-9a-f]{24}$/i.test(notebookId) || !/^[0-9a-f]{24}$/i.test(owner.tenantId)) return [];
  return withTenant(owner.tenantId, async () => {
    const files = await knowledgeFileModel(connection).find({ notebookId, status: "ready" }).select({ name: 1, vectorBlocks: 1, engineVectors: 1, chunkCount: 1 }).lean();
    if (files.length === 0) return [];
    // Several scopes for one question (a notebook and its project) share one embedding.
    const [query] = services.embedQuestion ? [await services.embedQuestion()] : await embedTexts(services.bedrock, services.embeddingModel, [question], undefined, 1, services.tally);
    const names = new Map(files.map((f) => [String(f._id), f.name]));
    const toPassage = (c: StoredPassage, score: number, i: number): Passage => ({ n: i + 1, fileId: String(c.fileId), fileName: names.get(String(c.fileId)) ?? "file", page: c.page, chunkIndex: c.index, text: c.text, score });
    const engine = (await detectCapabilities(connection)).vectorSearch;
    if (engine && files.every((f) => (f as { engineVectors?: boolean }).engineVectors)) {
      const found = await engineSearch(connection, engine, { vector: query!, k, tenantId: new Types.ObjectId(owner.tenantId), notebookId: new Types.ObjectId(notebookId), fileIds: files.map((f) => f._id) });
      // Approximate search over every tenant's passages, filtered after (DocumentDB): if that left
      // fewer than k of a scope that holds more, the exact scan below answers instead.
      const held = files.reduce((n, f) => n + (f.chunkCount ?? 0), 0);
      if (found && found.length >= Math.min(k, held)) return found.map(({ passage, score }, i) => toPassage(passage, score, i));
    }
    const ranking = topK(k);
    // These go to the driver directly, past the tenancy plugin (which guards mongoose's queries),
    // so the tenant filter is written out.
    const scope = { tenantId: new Types.ObjectId(owner.tenantId), notebookId: new Types.ObjectId(notebookId) };
    const blocked = files.filter((f) => (f as { vectorBlocks?: number }).vectorBlocks !== undefined).map((f) => f._id);
    const older = new Set(files.filter((f) => (f as { vectorBlocks?: number }).vectorBlocks === undefined).map((f) => String(f._id)));
    if (older.size) {
      // Files stored before vector blocks: every passage's float32 vector, streamed.
      const cursor = knowledgeChunkModel(connection).collection.find(scope, { projection: { embedding: 1, fileId: 1 }, batchSize: RETRIEVAL_BATCH }).stream();
      for await (const chunk of cursor as AsyncIterable<{ _id: unknown; fileId: unknown; embedding: unknown }>) {
        if (older.has(String(chunk.fileId))) ranking.offer({ id: chunk._id, score: cosine(query!, unpackVector(chunk.embedding)) });
      }
    }
    const read = blocked.length ? await rankCandidates(connection, scope, await candidatesFromBlocks(connection, scope, blocked, query!, k), query!, ranking, k) : new Map<string, StoredPassage>();
    if (ranking.best.length === 0) return [];
    const missing = ranking.best.filter((b) => !read.has(String(b.id)));
    if (missing.length) {
      const found = await Promise.all(missing.map((b) => knowledgeChunkModel(connection).collection.findOne({ _id: b.id, tenantId: scope.tenantId } as never, { projection: PASSAGE })));
      for (const passage of found as unknown as Array<StoredPassage | null>) if (passage) read.set(String(passage._id), passage);
    }
    const byId = read;
    return ranking.best.flatMap(({ id, score }, i) => {
      const c = byId.get(String(id));
      return c ? [toPassage(c, score, i)] : [];
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
