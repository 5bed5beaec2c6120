/**
 * Ingestion of a 100-page PDF and a 20 MB text file (issue 9, item 2), as the jobs queue's consumer
 * runs it: the upload is registered and sent to storage (moto's S3 through a presigned POST), the
 * file claimed, then read in the extraction process, split, embedded against the Bedrock stand-in
 * (EMBED_MS per call, 8 calls in flight) and stored. Prints time to ready, passages, and peak
 * memory of the consumer process and of its extraction process, beside an in-run baseline: the
 * embedding calls alone for the same passages (the part no code of ours can make faster).
 *
 *   pnpm bench:ingestion          (EMBED_MS=20 TEXT_MB=20 PDF_PAGES=100 by default)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDeps } from "@tandem/api";
import { closeConnection, getConnection } from "@tandem/core/database";
import { completeUpload, createUpload, embedTexts, KNOWLEDGE_WORKER_LIMITS, knowledgeFileModel, processFile, type KnowledgeServices } from "@tandem/core/knowledge";
import { createNotebook } from "@tandem/core/notebooks";
import { withTenant } from "@tandem/core/tenancy";
import { createLocalBuckets, LOCAL_BUCKETS, startBedrockStandIn, startFerretDB, startMoto, startPostgres } from "@tandem/local";
import { Types } from "mongoose";
import { PDFDocument, StandardFonts } from "pdf-lib";

const EMBED_MS = Number(process.env.EMBED_MS ?? 20);
const TEXT_MB = Number(process.env.TEXT_MB ?? 20);
const PDF_PAGES = Number(process.env.PDF_PAGES ?? 100);

const dataDir = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-ingestion-"));
const standIn = await startBedrockStandIn({ tokenDelayMs: 0, embeddingDelayMs: EMBED_MS });
const postgres = process.env.MONGODB_URI ? undefined : await startPostgres({ dataDir: path.join(dataDir, "postgres"), name: "postgres-bench" });
const ferret = postgres ? await startFerretDB({ dataDir: path.join(dataDir, "ferretdb"), name: "ferretdb-bench", postgresUrl: postgres.url }) : undefined;
const moto = await startMoto();
const connection = await getConnection({ uri: `${process.env.MONGODB_URI ?? ferret!.uri}/bench-ingestion` });
await connection.dropDatabase();

await createLocalBuckets(moto.endpoint);
// The consumer's own wiring: S3 and Bedrock clients as the API builds them from its environment.
const deps = createDeps({
  MONGODB_URI: "mongodb://127.0.0.1:9/unused",
  SESSION_SECRET: "bench-session-secret-0123456789abcdef",
  JWT_SECRET: "bench-jwt-secret-0123456789abcdef01234",
  LOG_LEVEL: "silent",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_ENDPOINT_URL: moto.endpoint,
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url,
  KNOWLEDGE_FILES_BUCKET: LOCAL_BUCKETS.KNOWLEDGE_FILES_BUCKET,
});
const queued: unknown[] = [];
const services: KnowledgeServices = {
  s3: deps.storage.s3,
  bucket: LOCAL_BUCKETS.KNOWLEDGE_FILES_BUCKET,
  bedrock: deps.ai.bedrock,
  embeddingModel: deps.ai.catalog.embeddingModel()!,
  limits: KNOWLEDGE_WORKER_LIMITS,
  // Completing the upload queues it; the consumer's work is timed below.
  queue: { enqueue: async (job) => void queued.push(job) },
};
const owner = { tenantId: new Types.ObjectId().toString(), userId: new Types.ObjectId().toString() };
const notebook = await createNotebook(connection, owner, { title: "Ingestion" }, { modelId: "tandem.local-echo-v1" });

const sentence = (i: number) => `Sentence ${i} of the report describes the harbour's cranes, tides and the ships that call there each season. `;

async function makePdf(pages: number): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < pages; p++) {
    const page = pdf.addPage([612, 792]);
    // About 2,000 characters a page, as a page of prose holds.
    for (let line = 0; line < 20; line++) page.drawText(sentence(p * 20 + line).slice(0, 100), { x: 40, y: 760 - line * 18, size: 9, font });
  }
  return pdf.save();
}

function makeText(megabytes: number): Uint8Array {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < megabytes * 1024 * 1024; i++) {
    const paragraph = `${sentence(i)}${sentence(i + 1)}${sentence(i + 2)}\n\n`;
    parts.push(paragraph);
    size += paragraph.length;
  }
  return new TextEncoder().encode(parts.join(""));
}

/** Resident memory (MiB) of this process and of its children (the extraction process), read from /proc every 50 ms without blocking. */
function sampleMemory() {
  let self = 0;
  let children = 0;
  const kib = (status: string) => Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const read = async () => {
    self = Math.max(self, kib(await readFile("/proc/self/status", "utf8")) / 1024);
    let sum = 0;
    for (const task of await readdir("/proc/self/task").catch(() => [])) {
      const pids = (await readFile(`/proc/self/task/${task}/children`, "utf8").catch(() => "")).trim().split(/\s+/).filter(Boolean);
      for (const pid of pids) sum += kib(await readFile(`/proc/${pid}/status`, "utf8").catch(() => "")) / 1024;
    }
    children = Math.max(children, sum);
  };
  const timer = setInterval(() => void read(), 50);
  return {
    async stop() {
      clearInterval(timer);
      await read();
      return { self, children };
    },
  };
}

async function ingest(name: string, type: string, bytes: Uint8Array) {
  const { file, upload } = await createUpload(connection, owner, notebook.id, { name, type, size: bytes.length }, services);
  const form = new FormData();
  for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
  form.append("file", new Blob([bytes], { type }));
  const sent = await fetch(upload.url, { method: "POST", body: form });
  if (sent.status >= 300) throw new Error(`upload refused: ${sent.status} ${await sent.text()}`);
  await completeUpload(connection, owner, notebook.id, file.id, services);
  const memory = sampleMemory();
  const started = performance.now();
  await processFile(connection, owner, notebook.id, file.id, services, { lastAttempt: true });
  const seconds = (performance.now() - started) / 1000;
  const peak = await memory.stop();
  const done = await withTenant(owner.tenantId, () => knowledgeFileModel(connection).findById(file.id).lean());
  return { seconds, peak, status: done?.status, error: done?.error, passages: done?.chunkCount ?? 0, pages: done?.pages ?? 0 };
}

/** The baseline: the same number of embedding calls, nothing else. */
async function embeddingOnly(passages: number): Promise<number> {
  const texts = Array.from({ length: passages }, (_, i) => sentence(i).repeat(8));
  const started = performance.now();
  await embedTexts(services.bedrock, services.embeddingModel, texts);
  return (performance.now() - started) / 1000;
}

console.log(`ingestion with ${EMBED_MS} ms per embedding call, 8 in flight, limits of the jobs consumer (${KNOWLEDGE_WORKER_LIMITS.timeoutMs / 1000} s extraction, ${KNOWLEDGE_WORKER_LIMITS.workerRssMb} MB)`);
for (const [name, type, bytes] of [
  [`report-${PDF_PAGES}-pages.pdf`, "application/pdf", await makePdf(PDF_PAGES)],
  [`notes-${TEXT_MB}-MB.txt`, "text/plain", makeText(TEXT_MB)],
] as const) {
  const result = await ingest(name, type, bytes);
  const baseline = await embeddingOnly(result.passages);
  console.log(
    `${name.padEnd(22)} ${(bytes.length / 2 ** 20).toFixed(1).padStart(5)} MB: ${result.status} in ${result.seconds.toFixed(1)} s, ${result.pages} pages, ${result.passages} passages${result.error ? ` (${result.error})` : ""}; ` +
      `peak memory: consumer ${result.peak.self.toFixed(0)} MiB, extraction process ${result.peak.children.toFixed(0)} MiB | baseline (the embedding calls alone) ${baseline.toFixed(1)} s`,
  );
}

await closeConnection();
await moto.stop();
await ferret?.stop();
await postgres?.stop();
await standIn.close();
rmSync(dataDir, { recursive: true, force: true });
