/**
 * Cold start of each Lambda function (issue 9): the size of its bundle as SST builds it (the esbuild
 * SST bundles with and the options of its ESM Node runtime, packages/api/test/bundle.ts, with each
 * function's `nodejs` settings from stacks/*.ts) and its module init, the time to import that
 * bundle in a fresh Node process (what Lambda's init phase runs before the first request; the
 * handlers build the app on their first invocation), median of ROUNDS processes. Beside them an
 * in-run baseline: a bare Express app bundled with the same options. Also whether a bundle holds
 * the knowledge extractors (unpdf, mammoth, ...), which only the jobs consumer needs.
 *
 * Targets for the HTTP API function: bundle <= 3 MB, module init <= 250 ms. Other work on the machine
 * stretches the wall-clock figures (the load average is printed); the CPU time of the import less so.
 *
 *   pnpm bench:cold-start          (ROUNDS=7 by default)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleLikeSst, installBesideBundle, type BuildResult } from "../packages/api/test/bundle.js";

const ROUNDS = Number(process.env.ROUNDS ?? 7);
// As the stack's comments count (1 MB = 1,048,576 bytes).
const MB = 1024 * 1024;
const TARGET_BYTES = 3 * MB;
const TARGET_INIT_MS = 250;
const here = path.dirname(fileURLToPath(import.meta.url));
const api = path.resolve(here, "../packages/api/src");

interface Fn {
  readonly name: string;
  readonly entry: string;
  /** The function's `nodejs` settings that differ from the API's (stacks/jobs.ts does not minify). */
  readonly overrides?: Record<string, unknown>;
  /** Held to the targets (the HTTP API). */
  readonly targeted?: boolean;
  /** Reads knowledge files, so its bundle holds the extractors (the jobs consumer only). */
  readonly readsFiles?: boolean;
}
const functions: Fn[] = [
  { name: "HTTP API (lambda.ts)", entry: `${api}/lambda.ts`, targeted: true },
  { name: "Stream API (stream-lambda.ts)", entry: `${api}/stream-lambda.ts` },
  { name: "Jobs consumer (jobs/queue.ts)", entry: `${api}/jobs/queue.ts`, readsFiles: true },
  { name: "Housekeeping (jobs/housekeeping.ts)", entry: `${api}/jobs/housekeeping.ts`, overrides: { minify: false } },
];
const BASELINE = "baseline: bare Express";

// The parsers of knowledge files: only the jobs consumer needs them (and the extraction process it forks).
const EXTRACTORS = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(unpdf|mammoth|html-to-text|@langchain\/textsplitters)\//;

const outDir = mkdtempSync(path.join(os.tmpdir(), "tandem-cold-start-"));
try {
  const built: Array<{ name: string; file: string; bytes: number; extractors: string[]; largest: Array<[string, number]>; targeted: boolean; readsFiles: boolean }> = [];
  for (const [i, fn] of functions.entries()) {
    const file = path.join(outDir, `fn${i}.mjs`);
    const result = await bundleLikeSst(fn.entry, file, { metafile: true, ...fn.overrides });
    built.push({ name: fn.name, file, bytes: statSync(file).size, ...contents(result), targeted: Boolean(fn.targeted), readsFiles: Boolean(fn.readsFiles) });
  }
  // The baseline, from bench/ (where express resolves).
  const bareFile = path.join(outDir, "bare.mjs");
  await bundleLikeSst("", bareFile, {
    entryPoints: undefined,
    stdin: {
      contents: `import express from "express";\nconst app = express();\napp.use(express.json());\napp.get("/api/health", (_q, s) => { s.json({ ok: true }); });\nexport const handler = app;\n`,
      resolveDir: here,
      loader: "ts",
      sourcefile: "bare-express.ts",
    },
  });
  built.push({ name: BASELINE, file: bareFile, bytes: statSync(bareFile).size, extractors: [], largest: [], targeted: false, readsFiles: false });
  // What `nodejs.install` puts beside the bundle (argon2's native binary loads during init).
  installBesideBundle(outDir);

  // A fresh process per import; the stream function's module calls Lambda's `awslambda` global.
  const probe = path.join(outDir, "probe.mjs");
  writeFileSync(
    probe,
    `globalThis.awslambda ??= { streamifyResponse: (handler) => handler };
const cpu = process.cpuUsage();
const t = performance.now();
await import(process.argv[2]);
const used = process.cpuUsage(cpu);
process.stdout.write("\\nINIT " + (performance.now() - t) + " " + (used.user + used.system) / 1000 + "\\n");
process.exit(0);`,
  );
  // As on Lambda: only what the stack sets (no secrets: they are read from SSM on the first request).
  const env = { PATH: process.env.PATH, AWS_REGION: "us-east-1", SST_APP: "tandem", SST_STAGE: "bench", TANDEM_VERSION: "bench", LOG_LEVEL: "silent", NODE_NO_WARNINGS: "1" };
  const times = new Map<string, number[]>(built.map((b) => [b.name, []]));
  const cpuTimes = new Map<string, number[]>(built.map((b) => [b.name, []]));
  // One round more than counted: the first reads the files from disk.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const b of built) {
      const out = execFileSync(process.execPath, [probe, b.file], { cwd: outDir, env, encoding: "utf8" });
      const [ms, cpu] = (/^INIT (.+)$/m.exec(out)?.[1] ?? "").split(" ").map(Number);
      if (!Number.isFinite(ms) || !Number.isFinite(cpu)) throw new Error(`${b.name}: the bundle did not import:\n${out}`);
      if (round > 0) {
        times.get(b.name)!.push(ms!);
        cpuTimes.get(b.name)!.push(cpu!);
      }
    }
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const mark = (ok: boolean) => (ok ? "ok" : "OVER");
  console.log(`Cold start per function: bundle as SST builds it; module init = import of the bundle in a fresh node ${process.version}, median of ${ROUNDS} (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores)`);
  console.log(`${"function".padEnd(38)}${"bundle".padStart(10)}${"init".padStart(10)}${"(cpu)".padStart(10)}  extractors  targets (bundle <= 3 MB, init <= ${TARGET_INIT_MS} ms)`);
  for (const b of built) {
    const ms = median(times.get(b.name)!);
    const targets = b.targeted ? `bundle ${mark(b.bytes <= TARGET_BYTES)}, init ${mark(ms <= TARGET_INIT_MS)}` : "";
    const extractors = b.name === BASELINE ? "" : b.extractors.length ? "yes" : "no";
    console.log(`${b.name.padEnd(38)}${`${(b.bytes / MB).toFixed(2)} MB`.padStart(10)}${`${ms.toFixed(0)} ms`.padStart(10)}${`(${median(cpuTimes.get(b.name)!).toFixed(0)} ms)`.padStart(10)}  ${extractors.padEnd(10)}  ${targets}`);
  }
  const target = built.find((b) => b.targeted)!;
  console.log(`largest packages in the ${target.name} bundle: ${target.largest.map(([name, bytes]) => `${name} ${(bytes / MB).toFixed(2)}`).join(", ")} (MB)`);
  for (const b of built) if (b.extractors.length && !b.readsFiles) console.log(`${b.name} holds extractors it never runs: ${b.extractors.join(", ")}`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}

/** From the metafile: the extractor modules in the bundle, and the largest packages by bytes in the output. */
function contents(result: BuildResult): { extractors: string[]; largest: Array<[string, number]> } {
  const output = Object.values(result.metafile!.outputs).find((o) => o.entryPoint)!;
  const byPackage = new Map<string, number>();
  const extractors = new Set<string>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.replace(/\/[^/]+$/, "");
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
    const extractor = EXTRACTORS.exec(input)?.[1];
    if (extractor && bytesInOutput > 0) extractors.add(extractor);
  }
  return { extractors: [...extractors], largest: [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8) };
}
