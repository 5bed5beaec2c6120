import { execFile, fork } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

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
const requireFromApi = createRequire(createRequire(import.meta.url).resolve("swagger-ui-express"));
const requireFromCore = createRequire(createRequire(import.meta.url).resolve("@tandem/core/identity"));
const requireFromSst = createRequire(createRequire(import.meta.url).resolve("sst/package.json"));
const INSTALLED = ["swagger-ui-dist", "@node-rs/argon2"];
const esbuild = requireFromSst("esbuild") as { build(options: Record<string, unknown>): Promise<unknown> };
let outDir: string;

const build = (entry: string, outfile: string) =>
  esbuild.build({
    entryPoints: [entry],
    outfile: path.join(outDir, outfile),
    platform: "node",
    bundle: true,
    keepNames: true,
    format: "esm",
    target: "esnext",
    mainFields: ["module", "main"],
    external: ["sharp", "pg-native", ...INSTALLED],
    logLevel: "silent",
    banner: {
      js: [
        `import { createRequire as topLevelCreateRequire } from 'module';`,
        `const require = topLevelCreateRequire(import.meta.url);`,
        `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
        `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
      ].join("\n"),
    },
  });

function docxWith(body: string): Uint8Array {
  const types = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;
  const rels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`;
  const document = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`;
  return zipSync({ "[Content_Types].xml": strToU8(types), "_rels/.rels": strToU8(rels), "word/document.xml": strToU8(document) }, { level: 9 });
}

beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), "tandem-knowledge-bundle-"));
  writeFileSync(path.join(outDir, "entry.ts"), `export { handler } from ${JSON.stringify(LAMBDA)};\nexport { extractInWorker, KNOWLEDGE_LIMITS } from ${JSON.stringify(KNOWLEDGE)};\n`);
  await build(LAMBDA, "lambda.mjs");
  await build(path.join(outDir, "entry.ts"), "with-extraction.mjs");
  mkdirSync(path.join(outDir, "node_modules"));
  for (const pkg of INSTALLED) {
    const from = pkg.startsWith("@node-rs/") ? requireFromCore : requireFromApi;
    mkdirSync(path.dirname(path.join(outDir, "node_modules", pkg)), { recursive: true });
    symlinkSync(path.dirname(from.resolve(`${pkg}/package.json`)), path.join(outDir, "node_modules", pkg));
  }
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
