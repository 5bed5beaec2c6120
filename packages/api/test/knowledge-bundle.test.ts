import { execFile, fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { docxWith } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleLikeSst, installBesideBundle } from "./bundle.js";

/**
 * Knowledge extraction runs in a child process that executes the module it lives in; in the
 * Lambda bundle that module is the bundle itself. This builds the API as SST does (the options of
 * lambda-bundle.test.ts) and checks that the bundle answers as an extraction process, both when
 * forked directly with the marker and through extractInWorker called inside a bundle.
 */
const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const LAMBDA = path.resolve(here, "../src/lambda.ts");
const KNOWLEDGE = path.resolve(here, "../../core/src/knowledge/index.ts");
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
let outDir: string;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), "tandem-knowledge-bundle-"));
  writeFileSync(path.join(outDir, "entry.ts"), `export { handler } from ${JSON.stringify(LAMBDA)};\nexport { extractInWorker, KNOWLEDGE_LIMITS } from ${JSON.stringify(KNOWLEDGE)};\n`);
  await bundleLikeSst(LAMBDA, path.join(outDir, "lambda.mjs"));
  await bundleLikeSst(path.join(outDir, "entry.ts"), path.join(outDir, "with-extraction.mjs"));
  installBesideBundle(outDir);
}, 180_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("knowledge extraction in the Lambda bundle", () => {
  it("the API's bundle answers an extraction job when started as the extraction process", async () => {
    expect(readFileSync(path.join(outDir, "lambda.mjs"), "utf8")).toContain("--tandem-knowledge-extraction");
    // What extractInWorker does on Lambda: fork the bundle with the marker, an empty environment.
    const child = fork(path.join(outDir, "lambda.mjs"), ["--tandem-knowledge-extraction"], { env: {}, serialization: "advanced", stdio: ["ignore", "ignore", "inherit", "ipc"] });
    try {
      const answer = new Promise<unknown>((resolve) => child.once("message", resolve));
      child.send({ bytes: docxWith("<w:p><w:r><w:t>The bundled extractor reads Word.</w:t></w:r></w:p>"), type: DOCX, limits: { maxPages: 10, maxTextChars: 10_000, maxDocxTextBytes: 1_000_000, maxDocxUnpackedBytes: 1_000_000, maxDocxEntries: 10, maxCompressionRatio: 100, minRatioCheckBytes: 1_000_000, timeoutMs: 20_000, workerHeapMb: 256, workerRssMb: 512 } });
      expect(await answer).toEqual({ ok: true, pages: 1, chunks: [{ index: 0, page: 1, text: "The bundled extractor reads Word." }] });
    } finally {
      child.kill();
    }
  });

  it("extractInWorker inside a bundle forks that bundle, extracts, and refuses a zip bomb with the reason", async () => {
    writeFileSync(
      path.join(outDir, "invoke.mjs"),
      `import { extractInWorker } from "./with-extraction.mjs";
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
