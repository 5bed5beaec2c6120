import { execFile, fork } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { docxWith } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleLikeSst, installBesideBundle, type BuildResult } from "./bundle.js";

/**
 * Knowledge extraction runs in a child process that executes the module it lives in; in a Lambda
 * bundle that module is the bundle itself. Only the jobs queue's consumer reads files, so only its
 * bundle holds the extractors (unpdf, mammoth, ...) and answers as an extraction process; the API's
 * functions queue the reading and carry none of it (a smaller bundle, a faster cold start). This
 * builds the functions as SST does (the options of lambda-bundle.test.ts) and checks both sides.
 */
const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const LAMBDA = path.resolve(here, "../src/lambda.ts");
const STREAM = path.resolve(here, "../src/stream-lambda.ts");
const QUEUE = path.resolve(here, "../src/jobs/queue.ts");
const KNOWLEDGE = path.resolve(here, "../../core/src/knowledge/index.ts");
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const EXTRACTORS = /node_modules\/(unpdf|mammoth|html-to-text|@langchain\/textsplitters)\//;
let outDir: string;
const bundled: Record<string, string[]> = {};

/** The extractor packages whose code is in a bundle, from its metafile. */
function extractorsIn(result: BuildResult): string[] {
  const output = Object.values(result.metafile!.outputs).find((o) => o.entryPoint)!;
  return [...new Set(Object.entries(output.inputs).flatMap(([input, { bytesInOutput }]) => (bytesInOutput > 0 && EXTRACTORS.test(input) ? [EXTRACTORS.exec(input)![1]!] : [])))].sort();
}

beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), "tandem-knowledge-bundle-"));
  for (const [name, entry] of Object.entries({ lambda: LAMBDA, stream: STREAM, queue: QUEUE })) {
    bundled[name] = extractorsIn(await bundleLikeSst(entry, path.join(outDir, `${name}.mjs`), { metafile: true }));
  }
  writeFileSync(path.join(outDir, "queue-entry.ts"), `export { handler } from ${JSON.stringify(QUEUE)};\nexport { extractInWorker, KNOWLEDGE_LIMITS } from ${JSON.stringify(KNOWLEDGE)};\n`);
  await bundleLikeSst(path.join(outDir, "queue-entry.ts"), path.join(outDir, "queue-with-extraction.mjs"));
  writeFileSync(path.join(outDir, "api-entry.ts"), `export { handler } from ${JSON.stringify(LAMBDA)};\nexport { extractInWorker } from ${JSON.stringify(KNOWLEDGE)};\n`);
  await bundleLikeSst(path.join(outDir, "api-entry.ts"), path.join(outDir, "api-with-extraction.mjs"));
  installBesideBundle(outDir);
}, 240_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("knowledge extraction in the Lambda bundles", () => {
  it("only the jobs consumer's bundle holds the extractors", () => {
    expect(bundled).toEqual({ lambda: [], stream: [], queue: ["@langchain/textsplitters", "html-to-text", "mammoth", "unpdf"] });
  });

  it("the jobs consumer's bundle answers an extraction job when started as the extraction process", async () => {
    // What extractInWorker does on Lambda: fork the bundle with the marker, an empty environment.
    const child = fork(path.join(outDir, "queue.mjs"), ["--tandem-knowledge-extraction"], { env: {}, serialization: "advanced", stdio: ["ignore", "ignore", "inherit", "ipc"] });
    try {
      const answer = new Promise<unknown>((resolve) => child.once("message", resolve));
      child.send({ bytes: docxWith("<w:p><w:r><w:t>The bundled extractor reads Word.</w:t></w:r></w:p>"), type: DOCX, limits: { maxPages: 10, maxTextChars: 10_000, maxDocxTextBytes: 1_000_000, maxDocxUnpackedBytes: 1_000_000, maxDocxEntries: 10, maxCompressionRatio: 100, minRatioCheckBytes: 1_000_000, timeoutMs: 20_000, workerHeapMb: 256, workerRssMb: 512 } });
      expect(await answer).toEqual({ ok: true, pages: 1, chunks: [{ index: 0, page: 1, text: "The bundled extractor reads Word." }] });
    } finally {
      child.kill();
    }
  });

  it("extractInWorker inside the API's bundle refuses at once instead of forking a bundle that cannot answer", async () => {
    writeFileSync(
      path.join(outDir, "invoke-api.mjs"),
      `import { extractInWorker } from "./api-with-extraction.mjs";
const outcome = await extractInWorker(new TextEncoder().encode("plain text"), "text/plain").then(() => "extracted", (e) => ({ name: e.name, message: e.message }));
process.stdout.write("\\nRESULTS " + JSON.stringify(outcome) + "\\n");
process.exit(0);`,
    );
    const { stdout } = await run(process.execPath, ["invoke-api.mjs"], { cwd: outDir, env: { PATH: process.env.PATH }, timeout: 60_000 });
    const line = stdout.split("\n").find((l) => l.startsWith("RESULTS "));
    expect(JSON.parse(line!.slice("RESULTS ".length))).toEqual({ name: "ExtractionFailure", message: expect.stringMatching(/does not read knowledge files/) });
  });

  it("extractInWorker inside the jobs consumer's bundle forks that bundle, extracts, and refuses a zip bomb with the reason", async () => {
    writeFileSync(
      path.join(outDir, "invoke.mjs"),
      `import { extractInWorker } from "./queue-with-extraction.mjs";
const docx = ${JSON.stringify(Buffer.from(docxWith("<w:p><w:r><w:t>Bundled and forked.</w:t></w:r></w:p>")).toString("base64"))};
const bomb = ${JSON.stringify(Buffer.from(docxWith("<w:p/>".repeat(2_000_000))).toString("base64"))};
const results = [];
results.push(await extractInWorker(new Uint8Array(Buffer.from(docx, "base64")), "${DOCX}"));
results.push(await extractInWorker(new Uint8Array(Buffer.from(bomb, "base64")), "${DOCX}").catch((e) => ({ code: e.code, message: e.message })));
results.push(await extractInWorker(new TextEncoder().encode("Tromsø in plain text."), "text/plain"));
process.stdout.write("\\nRESULTS " + JSON.stringify(results) + "\\n");
process.exit(0);`,
    );
    const { stdout } = await run(process.execPath, ["invoke.mjs"], { cwd: outDir, env: { PATH: process.env.PATH }, timeout: 60_000 });
    const line = stdout.split("\n").find((l) => l.startsWith("RESULTS "));
    const [docx, bomb, text] = JSON.parse(line!.slice("RESULTS ".length)) as unknown[];
    expect(docx).toEqual({ pages: 1, chunks: [{ index: 0, page: 1, text: "Bundled and forked." }] });
    expect(bomb).toMatchObject({ code: "knowledge.too_large", message: expect.stringMatching(/^This DOCX expands to more than 8 MB of text when unpacked/) });
    expect(text).toEqual({ pages: 1, chunks: [{ index: 0, page: 1, text: "Tromsø in plain text." }] });
  });
});
