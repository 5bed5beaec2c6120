/**
 * Retrieval at 1,000 / 10,000 / 30,000 passages (issue 9): time and heap per question through
 * retrievePassages (vectors as float32 bytes, read a page at a time, best k kept), beside an
 * in-run baseline, the ranking alone over the same vectors already in memory; then the growth
 * exponent of time (1 is linear) and whether memory grows with the number of passages.
 * FerretDB on PostgreSQL, as `pnpm dev` runs it (or MONGODB_URI).
 *
 *   pnpm bench:retrieval          (SIZES=1000,10000,30000 ROUNDS=3 by default)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createBedrockClient, LOCAL_EMBEDDING_MODEL } from "@tandem/core/ai";
import { closeConnection, getConnection } from "@tandem/core/database";
import { cosine, knowledgeChunkModel, knowledgeFileModel, packVector, retrievePassages, topK, vectorBlockModel, vectorBlocks } from "@tandem/core/knowledge";
import { withTenant } from "@tandem/core/tenancy";
import { startBedrockStandIn, startFerretDB, startPostgres, standInEmbedding } from "@tandem/local";
import { Types } from "mongoose";

const SIZES = (process.env.SIZES ?? "1000,10000,30000").split(",").map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DIMENSIONS = 256;

const standIn = await startBedrockStandIn({ tokenDelayMs: 0 });
const dataDir = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-retrieval-"));
const postgres = process.env.MONGODB_URI ? undefined : await startPostgres({ dataDir: path.join(dataDir, "postgres"), name: "postgres-bench" });
const ferret = postgres ? await startFerretDB({ dataDir: path.join(dataDir, "ferretdb"), name: "ferretdb-bench", postgresUrl: postgres.url }) : undefined;
const connection = await getConnection({ uri: `${process.env.MONGODB_URI ?? ferret!.uri}/bench-retrieval` });
await connection.dropDatabase();
const bedrock = createBedrockClient({ endpoint: standIn.url, credentials: { accessKeyId: "bench", secretAccessKey: "bench" } });

let seed = 11;
const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const question = "Which passage explains the harbour's opening hours?";

/** Runs `work` and samples the heap meanwhile: [ms, peak heap growth in MiB]. */
async function measure(work: () => Promise<unknown>): Promise<[number, number]> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 2);
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return [ms, (peak - before) / 2 ** 20];
}

const rows: Array<{ size: number; ms: number; mib: number; baselineMs: number }> = [];
let stored = 0;
const tenantId = new Types.ObjectId().toString();
const notebookId = new Types.ObjectId();
const fileId = new Types.ObjectId();
await withTenant(tenantId, () => knowledgeFileModel(connection).create({ _id: fileId, notebookId, userId: new Types.ObjectId(), name: "bench.md", type: "text/markdown", size: 1, key: "k", status: "ready", vectorBlocks: 0 }));
const inMemory: Float32Array[] = [];
for (const size of SIZES) {
  while (stored < size) {
    const batch = Array.from({ length: Math.min(1000, size - stored) }, (_, i) => {
      const vector = new Float32Array(Array.from({ length: DIMENSIONS }, next));
      inMemory.push(vector);
      return { fileId, notebookId, index: stored + i, page: 1, text: `Passage ${stored + i} of the bench file, about as long as a real one would be. `.repeat(8), embedding: packVector(Array.from(vector)) };
    });
    await withTenant(tenantId, async () => {
      const inserted = await knowledgeChunkModel(connection).insertMany(batch);
      // The quantised blocks the worker writes beside the passages.
      await vectorBlockModel(connection).insertMany(vectorBlocks(fileId, notebookId, inserted.map((c) => c._id), inMemory.slice(stored, stored + batch.length)));
    });
    stored += batch.length;
  }
  const owner = { tenantId, userId: new Types.ObjectId().toString() };
  const times: number[] = [];
  const heaps: number[] = [];
  const baseline: number[] = [];
  const query = standInEmbedding(question);
  for (let r = 0; r < ROUNDS; r++) {
    const [ms, mib] = await measure(() => retrievePassages(connection, owner, String(notebookId), question, { bedrock, embeddingModel: LOCAL_EMBEDDING_MODEL }, 4));
    times.push(ms);
    heaps.push(mib);
    const [rankMs] = await measure(async () => {
      const ranking = topK(4);
      inMemory.forEach((v, i) => ranking.offer({ id: i, score: cosine(query, v) }));
    });
    baseline.push(rankMs);
  }
  rows.push({ size, ms: median(times), mib: median(heaps), baselineMs: median(baseline) });
  console.log(`${String(size).padStart(6)} passages: retrieval ${median(times).toFixed(0).padStart(5)} ms, heap +${median(heaps).toFixed(1)} MiB | baseline (ranking the same vectors in memory) ${median(baseline).toFixed(1)} ms`);
}
if (rows.length >= 2) {
  const [a, b] = [rows[0]!, rows[rows.length - 1]!];
  console.log(`growth exponent of time ${a.size} → ${b.size}: ${(Math.log(b.ms / a.ms) / Math.log(b.size / a.size)).toFixed(2)} (1 = linear); heap ${a.mib.toFixed(1)} → ${b.mib.toFixed(1)} MiB`);
}

await closeConnection();
await ferret?.stop();
await postgres?.stop();
await standIn.close();
rmSync(dataDir, { recursive: true, force: true });
