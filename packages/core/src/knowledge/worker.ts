import { fork } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import pLimit from "p-limit";
import { InvalidInputError } from "../errors/index.js";
import { chunkPages, extractText, type Chunk, type KnowledgeType } from "./extract.js";
import { KNOWLEDGE_LIMITS, type KnowledgeLimits } from "./limits.js";

/**
 * Extraction off the API's process. A file is checked, extracted and cut into passages in a
 * child process with its own V8 heap limit (--max-old-space-size), a deadline, a watch on its
 * memory (buffers live outside the heap) and the lowest CPU priority (nice 19); whatever the file
 * does, the API's event loop and the database and storage it calls keep their CPU, and a file over
 * a limit is refused with the reason instead of taking the API down.
 *
 * Why a process and not a worker thread: on two busy cores a worker thread doing the same work
 * tripled the 95th percentile of /api/health (43 -> 169 ms): it shares the process's garbage
 * collector threads and cannot be given a lower priority. The niced process leaves it at 41 ms.
 *
 * The child runs this very module: its file is worker.ts under tsx and vitest (started with tsx's
 * loader), worker.js when compiled, and the whole bundle when esbuild has bundled the API into one
 * file for Lambda (`import.meta.url` is then the bundle; it starts, sees the marker argument and only
 * waits for its job). So there is no second entry point to keep in the bundle.
 */
const MARKER = "--tandem-knowledge-extraction";

interface Job {
  readonly bytes: Uint8Array;
  readonly type: KnowledgeType;
  readonly limits: KnowledgeLimits;
}
type Outcome = { ok: true; pages: number; chunks: Chunk[] } | { ok: false; refused: true; message: string; code: string } | { ok: false; refused: false; detail: string };

export interface Extracted {
  readonly pages: number;
  readonly chunks: Chunk[];
}

async function run(job: Job): Promise<Outcome> {
  try {
    const pages = await extractText(job.bytes, job.type, job.limits);
    return { ok: true, pages: pages.length, chunks: await chunkPages(pages) };
  } catch (error) {
    if (error instanceof InvalidInputError) return { ok: false, refused: true, message: error.message, code: error.code };
    return { ok: false, refused: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

if (process.argv.includes(MARKER) && process.send) {
  // The API went away: so does its extraction.
  process.once("disconnect", () => process.exit(0));
  process.once("message", (job: Job) => {
    void run(job).then((outcome) => process.send!(outcome));
  });
}

/** The child's entry and flags: TypeScript sources need tsx's loader. */
function childEntry(heapMb: number): { file: string; execArgv: string[] } {
  const url = new URL(import.meta.url);
  const heap = `--max-old-space-size=${heapMb}`;
  if (!url.pathname.endsWith(".ts")) return { file: fileURLToPath(url), execArgv: [heap] };
  return { file: fileURLToPath(url), execArgv: ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href, heap] };
}

/** Resident memory of a process, from /proc (Linux, as on Lambda); undefined elsewhere. */
async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    return Number((await readFile(`/proc/${pid}/statm`, "utf8")).split(" ")[1]) * 4096;
  } catch {
    return undefined;
  }
}

/** Thrown for a file that broke the extractor itself (not a refusal): the caller says "could not be read". */
export class ExtractionFailure extends Error {
  override readonly name = "ExtractionFailure";
}

const MB = 1024 * 1024;
// Two at a time per API process: each child may use `workerHeapMb` and more.
const slots = pLimit(2);

/**
 * Checks, extracts and chunks a file in a child process. Resolves with the passages; rejects with an
 * InvalidInputError (the reason to show: wrong content, over a limit, too slow, too much memory)
 * or an ExtractionFailure (the parser failed on a damaged file).
 */
export function extractInWorker(bytes: Uint8Array, type: KnowledgeType, limits: KnowledgeLimits = KNOWLEDGE_LIMITS): Promise<Extracted> {
  return slots(() => runChild(bytes, type, limits));
}

function runChild(bytes: Uint8Array, type: KnowledgeType, limits: KnowledgeLimits): Promise<Extracted> {
  const { file, execArgv } = childEntry(limits.workerHeapMb);
  // A bare environment: the process that parses a stranger's file sees none of the API's secrets.
  const child = fork(file, [MARKER], { execArgv, env: { NODE_ENV: "production" }, serialization: "advanced", stdio: ["ignore", "ignore", "pipe", "ipc"] });
  try {
    if (child.pid) os.setPriority(child.pid, 19);
  } catch {
    // Not allowed here: the child runs at normal priority.
  }
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4096);
  });
  return new Promise<Extracted>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, value?: Extracted) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearInterval(memoryWatch);
      child.kill("SIGKILL");
      if (error) reject(error);
      else resolve(value!);
    };
    const tooMuchMemory = () =>
      new InvalidInputError("Reading this file needed more memory than Tandem allows for one file, so it was stopped. Split it into smaller files (or save it as PDF), then upload them.", [], "knowledge.too_complex");
    const deadline = setTimeout(
      () => finish(new InvalidInputError(`Reading this file took longer than ${Math.round(limits.timeoutMs / 1000)} seconds, so Tandem stopped. Split it into smaller files (or save it as PDF), then upload them.`, [], "knowledge.too_slow")),
      limits.timeoutMs,
    );
    const memoryWatch = setInterval(() => {
      if (!child.pid) return;
      void residentBytes(child.pid).then((rss) => {
        if (rss !== undefined && rss > limits.workerRssMb * MB) finish(tooMuchMemory());
      });
    }, 100);
    child.once("message", (outcome: Outcome) => {
      if (outcome.ok) finish(undefined, { pages: outcome.pages, chunks: outcome.chunks });
      else if (outcome.refused) finish(new InvalidInputError(outcome.message, [], outcome.code));
      else finish(new ExtractionFailure(outcome.detail));
    });
    child.once("error", (error) => finish(new ExtractionFailure(`the extraction process could not run: ${error.message}`)));
    child.once("exit", (code, signal) => {
      // V8 aborts the process when the heap limit is reached.
      if (/heap out of memory|Allocation failed/i.test(stderr) || signal === "SIGABRT" || code === 134) finish(tooMuchMemory());
      else finish(new ExtractionFailure(`the extraction process stopped (${signal ?? `exit code ${code}`}) before it answered: ${stderr.trim().split("\n").at(-1) ?? ""}`));
    });
    child.send({ bytes, type, limits } satisfies Job);
  });
}
