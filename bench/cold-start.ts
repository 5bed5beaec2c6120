/**
 * Cold start of the API (issue 9): in a fresh Node process each time, the time to import the app
 * and build it (what a Lambda pays before its first request), beside an in-run baseline, a bare
 * Express app imported and built the same way. Sources through tsx, so the figures include
 * transpiling; compare the two columns, not the absolute values, with a bundled build.
 *
 *   pnpm bench:cold-start          (ROUNDS=5 by default)
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const here = path.dirname(fileURLToPath(import.meta.url));
const api = path.resolve(here, "../packages/api/src");

const probes = {
  tandem: `const t = performance.now(); const { createApp } = await import(${JSON.stringify(`${api}/app.ts`)}); const { createDeps } = await import(${JSON.stringify(`${api}/context.ts`)});
createApp(createDeps({ MONGODB_URI: "mongodb://127.0.0.1:9/none", SESSION_SECRET: "cold-start-session-secret-0123456789abcdef", JWT_SECRET: "cold-start-jwt-secret-0123456789abcdef01234", LOG_LEVEL: "silent" }));
console.log(performance.now() - t);`,
  bare: `const t = performance.now(); const { default: express } = await import("express"); const app = express(); app.use(express.json()); app.get("/api/health", (_q, s) => s.json({ ok: true })); console.log(performance.now() - t);`,
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const tsx = path.resolve(here, "../node_modules/.bin/tsx");
const results: Record<string, number[]> = { tandem: [], bare: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, code] of Object.entries(probes)) {
    const out = execFileSync(tsx, ["--eval", `(async () => { ${code} })()`], { cwd: path.resolve(here, "../packages/api"), encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" } });
    results[name]!.push(Number(out.trim().split("\n").pop()));
  }
}
console.log(`import + build the app in a fresh process (median of ${ROUNDS}): Tandem API ${median(results.tandem!).toFixed(0)} ms | baseline (bare Express) ${median(results.bare!).toFixed(0)} ms`);
