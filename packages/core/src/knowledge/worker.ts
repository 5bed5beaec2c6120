import { fork } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pLimit from "p-limit";
import { InvalidInputError } from "../errors/index.js";
import type { Chunk, KnowledgeType } from "./extract.js";
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
 * This module is the parent's side only, and reaches no parser: it is in the API's bundles too
 * (files.ts reads a completed upload inline when it is given no queue), while the extractors
 * (unpdf, mammoth, ...) are only in the bundle of the jobs queue's consumer, the one function that
 * reads files. The child's side is extraction-process.ts. The child runs that module under tsx and
 * vitest (started with tsx's loader) and when compiled; in a Lambda bundle, where esbuild has put
 * everything in one file, it runs the bundle itself (`import.meta.url`), whose entry calls
 * serveExtractionProcess (packages/api/src/jobs/queue.ts): started with the marker argument, it only
 * waits for its job. A bundle whose entry does not (the API's functions) refuses to fork.
 */
export const EXTRACTION_MARKER = "--tandem-knowledge-extraction";

/** What the parent sends the child, and what the child answers. */
export interface ExtractionJob {
  readonly bytes: Uint8Array;
  readonly type: KnowledgeType;
  readonly limits: KnowledgeLimits;
}
export type ExtractionOutcome = { ok: true; pages: number; chunks: Chunk[] } | { ok: false; refused: true; message: string; code: string } | { ok: false; refused: false; detail: string };

export interface Extracted {
  readonly pages: number;
  readonly chunks: Chunk[];
}

// Set by serveExtractionProcess: this bundle's entry serves as the extraction process.
let servedHere = false;

/** Called by extraction-process.ts: the module (or bundle) that runs here can be the child. */
export function markExtractionServed(): void {
  servedHere = true;
}

/**
 * The child's entry and flags: extraction-process.ts beside this file (TypeScript sources need
 * tsx's loader), or the bundle this module was bundled into, when its entry serves extraction.
 */
function childEntry(heapMb: number): { file: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const heap = `--max-old-space-size=${heapMb}`;
  const source = /^worker\.(ts|js)$/.exec(path.basename(self));
  if (!source) {
    if (!servedHere) throw new ExtractionFailure("this function does not read knowledge files (the jobs queue's consumer does): its bundle holds no extractor");
    return { file: self, execArgv: [heap] };
  }
  const file = path.join(path.dirname(self), `extraction-process.${source[1]}`);
  if (source[1] === "js") return { file, execArgv: [heap] };
  return { file, execArgv: ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href, heap] };
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
// Two at a time per process: each child may use `workerHeapMb` and more.
const slots = pLimit(2);

/**
 * Checks, extracts and chunks a file in a child process. Resolves with the passages; rejects with an
 * InvalidInputError (the reason to show: wrong content, over a limit, too slow, too much memory)
 * or an ExtractionFailure (the parser failed on a damaged file).
 */
export function extractInWorker(bytes: Uint8Array, type: KnowledgeType, limits: KnowledgeLimits = KNOWLEDGE_LIMITS): Promise<Extracted> {
  return slots(async () => runChild(bytes, type, limits));
}

function runChild(bytes: Uint8Array, type: KnowledgeType, limits: KnowledgeLimits): Promise<Extracted> {
  const { file, execArgv } = childEntry(limits.workerHeapMb);
  // A bare environment: the process that parses a stranger's file sees none of the API's secrets.
  const child = fork(file, [EXTRACTION_MARKER], { execArgv, env: { NODE_ENV: "production" }, serialization: "advanced", stdio: ["ignore", "ignore", "pipe", "ipc"] });
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
    child.once("message", (outcome: ExtractionOutcome) => {
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
    child.send({ bytes, type, limits } satisfies ExtractionJob);
  });
}
