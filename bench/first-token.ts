/**
 * Time to first token under concurrency (issue 9, item 6): 50 and 100 replies at once through
 * the real API's streaming route (POST .../messages, text/event-stream), authenticated with a
 * real session, against the Bedrock stand-in; beside the stand-in read directly with the SDK at
 * the same concurrency (the floor). The API and the stand-in each run in a child process; this
 * process only sends and reads. Also prints the database calls a reply makes before its first
 * token. FerretDB on PostgreSQL, as `pnpm dev` runs it (or MONGODB_URI).
 *
 *   pnpm bench:ttft        (CONCURRENCY=50,100 ROUNDS=5 TOKENS=20 by default)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cpuMs, serveParent, startChild, summary } from "./children.js";

const JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789";
const SESSION_SECRET = "bench-session-secret-0123456789abcdef0123";
const DATABASE = "bench-first-token";

async function serve(kind: "api" | "standin"): Promise<void> {
  if (kind === "standin") {
    const { startBedrockStandIn } = await import("@tandem/local");
    const standIn = await startBedrockStandIn({ tokenDelayMs: Number(process.env.TOKEN_DELAY_MS ?? 1) });
    serveParent(standIn.url, {}, () => standIn.close());
    return;
  }
  const { createApp, createDeps } = await import("@tandem/api");
  const { closeConnection } = await import("@tandem/core/database");
  let calls = 0;
  // Logs at the default level, as a stage runs (one line per request), into /dev/null.
  const deps = createDeps({ ...process.env, MONGODB_URI: `${process.env.BENCH_MONGODB_URI}/${DATABASE}`, SESSION_SECRET, JWT_SECRET });
  (await deps.database()).set("debug", () => void calls++);
  const server = createApp(deps).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  serveParent(`http://127.0.0.1:${(server.address() as { port: number }).port}`, { calls: () => calls, cpu: cpuMs }, async () => {
    server.close();
    await closeConnection().catch(() => undefined);
  });
}

if (process.argv[2] === "serve") {
  await serve(process.argv[3] as "api" | "standin");
} else {
  await main();
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const LEVELS = (process.env.CONCURRENCY ?? "50,100").split(",").map(Number);
  const ROUNDS = Number(process.env.ROUNDS ?? 5);
  const TOKENS = Number(process.env.TOKENS ?? 20);
  const { createBedrockClient, LOCAL_TEST_MODEL, streamChat } = await import("@tandem/core/ai");
  const { closeConnection, getConnection } = await import("@tandem/core/database");
  const { signAccessToken, startSession, userModel } = await import("@tandem/core/identity");
  const { createNotebook } = await import("@tandem/core/notebooks");
  const { createOrganisation } = await import("@tandem/core/tenants");
  const { startFerretDB, startPostgres } = await import("@tandem/local");

  const dataDir = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-ttft-"));
  const postgres = process.env.MONGODB_URI ? undefined : await startPostgres({ dataDir: path.join(dataDir, "postgres"), name: "postgres-bench" });
  const ferret = postgres ? await startFerretDB({ dataDir: path.join(dataDir, "ferretdb"), name: "ferretdb-bench", postgresUrl: postgres.url }) : undefined;
  const baseUri = process.env.MONGODB_URI ?? ferret!.uri;
  const connection = await getConnection({ uri: `${baseUri}/${DATABASE}` });
  await connection.dropDatabase();

  const user = await userModel(connection).create({ email: "bench@example.com", name: "Bench", emailVerifiedAt: new Date() });
  const userId = String(user._id);
  const org = await createOrganisation(connection, userId, { name: "Bench", slug: "bench" });
  const owner = { tenantId: org.id, userId };
  // One notebook per concurrent reply, as many people (or tabs) would have.
  const notebooks: string[] = [];
  for (let i = 0; i < Math.max(...LEVELS); i++) notebooks.push((await createNotebook(connection, owner, { title: `Bench ${i}` }, { modelId: LOCAL_TEST_MODEL.id })).id);
  const session = await startSession(connection, userId);
  const token = await signAccessToken(JWT_SECRET, { userId, sessionId: session.sessionId });

  const standIn = await startChild("first-token.ts", ["serve", "standin"]);
  const api = await startChild("first-token.ts", ["serve", "api"], { BENCH_MONGODB_URI: baseUri, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url, MONGODB_URI: undefined });
  const bedrock = createBedrockClient({ endpoint: standIn.url, credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" } });
  const question = `stream ${TOKENS} tokens`;

  /** One reply through the API: ms to the first delta event, and the whole stream read. */
  async function throughApi(notebookId: string, onFirst?: () => Promise<void>): Promise<number> {
    const started = performance.now();
    const res = await fetch(`${api.url}/api/orgs/${org.id}/notebooks/${notebookId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: question }),
    });
    if (!res.ok) throw new Error(`the API answered ${res.status}: ${await res.text()}`);
    const decoder = new TextDecoder();
    let buffer = "";
    let first: number | undefined;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      if (first === undefined && buffer.includes("event: delta")) {
        first = performance.now() - started;
        await onFirst?.();
      }
    }
    if (first === undefined) throw new Error(`no delta in the reply: ${buffer.slice(0, 300)}`);
    return first;
  }

  /** The same reply read directly from the stand-in with the SDK. */
  async function direct(): Promise<number> {
    const started = performance.now();
    let first: number | undefined;
    await streamChat(bedrock, { model: LOCAL_TEST_MODEL, history: [{ role: "user", text: question }], onDelta: () => void (first ??= performance.now() - started) });
    return first!;
  }

  // Warm up both paths (JIT, connections, the database), then count one reply's database calls.
  await Promise.all(notebooks.slice(0, 10).map((id) => throughApi(id)));
  await Promise.all(Array.from({ length: 10 }, direct));
  const before = await api.ask<number>("calls");
  let beforeFirst = 0;
  await throughApi(notebooks[0]!, async () => void (beforeFirst = (await api.ask<number>("calls")) - before));
  const whole = (await api.ask<number>("calls")) - before;

  const s = (v: number) => `${(v / 1000).toFixed(3)} s`;
  process.stdout.write(`Time to first token, ${ROUNDS} rounds of N replies at once (${TOKENS}-token replies, Bedrock stand-in, API and stand-in in their own processes):\n`);
  for (const n of LEVELS) {
    const viaApi: number[] = [];
    const viaSdk: number[] = [];
    let apiCpu = 0;
    for (let r = 0; r < ROUNDS; r++) {
      viaSdk.push(...(await Promise.all(Array.from({ length: n }, direct))));
      const cpuBefore = await api.ask<number>("cpu");
      viaApi.push(...(await Promise.all(notebooks.slice(0, n).map((id) => throughApi(id)))));
      apiCpu += (await api.ask<number>("cpu")) - cpuBefore;
    }
    const a = summary(viaApi);
    const d = summary(viaSdk);
    const added = a.p50 - d.p50;
    process.stdout.write(
      `  ${String(n).padStart(3)} at once   stand-in direct p50 ${s(d.p50)}  p95 ${s(d.p95)}   through the API p50 ${s(a.p50)}  p95 ${s(a.p95)}   added p50 ${s(added)}   API CPU ${(apiCpu / (n * ROUNDS)).toFixed(1)} ms/reply${n === 50 ? ` (target ≤ 0.3 s: ${added <= 300 ? "met" : "NOT met"})` : ""}\n`,
    );
  }
  process.stdout.write(`  database calls per reply: ${beforeFirst} before the first token, ${whole} in all\n`);

  await api.stop();
  await standIn.stop();
  await closeConnection();
  await ferret?.stop();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
