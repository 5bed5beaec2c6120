import { InvalidInputError } from "../errors/index.js";
import { chunkPages, extractText } from "./extract.js";
import { EXTRACTION_MARKER, markExtractionServed, type ExtractionJob, type ExtractionOutcome } from "./worker.js";

/**
 * The child's side of extractInWorker (worker.ts): the process that checks, extracts and chunks
 * one file, and the only code that reaches the parsers (unpdf, mammoth, html-to-text, the text
 * splitter). Started as a file (tsx, compiled) this module serves on import; in a Lambda bundle the
 * entry calls serveExtractionProcess, which is what puts the parsers in that bundle
 * (@tandem/core/knowledge/extraction: the jobs queue's consumer, packages/api/src/jobs/queue.ts).
 */
async function run(job: ExtractionJob): Promise<ExtractionOutcome> {
  try {
    const pages = await extractText(job.bytes, job.type, job.limits);
    return { ok: true, pages: pages.length, chunks: await chunkPages(pages) };
  } catch (error) {
    if (error instanceof InvalidInputError) return { ok: false, refused: true, message: error.message, code: error.code };
    return { ok: false, refused: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * In a process started with the marker (by extractInWorker): waits for its one job and answers.
 * Elsewhere: notes that this process's module (or bundle) can be forked as the extraction process.
 */
let serving = false;
export function serveExtractionProcess(): void {
  markExtractionServed();
  if (serving || !(process.argv.includes(EXTRACTION_MARKER) && process.send)) return;
  serving = true;
  // The process that forked it went away: so does its extraction.
  process.once("disconnect", () => process.exit(0));
  process.once("message", (job: ExtractionJob) => {
    void run(job).then((outcome) => process.send!(outcome));
  });
}

// Run as a file (not bundled): this module is the child's entry.
if (process.argv.includes(EXTRACTION_MARKER)) serveExtractionProcess();
