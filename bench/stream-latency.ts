/**
 * How much latency Tandem's stack adds to a streamed reply: for every token, the time from the
 * model writing it (the Bedrock stand-in's clock) to the client reading it, through the API
 * (SDK → core → Express → text/event-stream → fetch), beside a direct read of the same stream
 * with the SDK. Everything runs in this process, on one clock.
 *
 *   pnpm bench:stream          (TOKENS=2000 ROUNDS=3 by default)
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { createApp, createDeps } from "@tandem/api";
import { createBedrockClient, LOCAL_TEST_MODEL, streamChat } from "@tandem/core/ai";
import { closeConnection } from "@tandem/core/database";
import { signAccessToken, startSession, userModel } from "@tandem/core/identity";
import { createNotebook } from "@tandem/core/notebooks";
import { createOrganisation } from "@tandem/core/tenants";
import { startBedrockStandIn, startFerretDB } from "@tandem/local";

const TOKENS = Number(process.env.TOKENS ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789";

let sentAt: number[] = [];
const standIn = await startBedrockStandIn({ tokenDelayMs: 1, onTokenSent: (i, at) => (sentAt[i] = at) });
const dataDir = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-"));
const ferret = process.env.MONGODB_URI ? undefined : await startFerretDB({ dataDir, name: "ferretdb-bench" });
const mongodbUri = `${process.env.MONGODB_URI ?? ferret!.uri}/bench-stream`;

const deps = createDeps({ MONGODB_URI: mongodbUri, SESSION_SECRET: "bench-session-secret-0123456789abcdef0123", JWT_SECRET, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url, LOG_LEVEL: "silent" });
const connection = await deps.database();
await connection.dropDatabase();
const user = await userModel(connection).create({ email: "bench@example.com", name: "Bench", emailVerifiedAt: new Date() });
const org = await createOrganisation(connection, String(user._id), { name: "Bench", slug: "bench" });
const notebook = await createNotebook(connection, { tenantId: org.id, userId: String(user._id) }, { title: "Bench" }, { modelId: LOCAL_TEST_MODEL.id });
const session = await startSession(connection, String(user._id));
const token = await signAccessToken(JWT_SECRET, { userId: String(user._id), sessionId: session.sessionId });

const server: Server = createApp(deps).listen(0, "127.0.0.1");
await new Promise((r) => server.once("listening", r));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/orgs/${org.id}/notebooks/${notebook.id}/messages`;

/** Latency of each token through the API: read the event stream, stamp each delta as it is parsed. */
async function throughApi(count: number): Promise<number[]> {
  sentAt = [];
  const latencies: number[] = [];
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ text: `stream ${count} tokens` }) });
  const decoder = new TextDecoder();
  let buffer = "";
  let index = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const now = performance.now();
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      if (buffer.startsWith("event: delta")) latencies.push(now - sentAt[index++]!);
      buffer = buffer.slice(end + 2);
    }
  }
  if (latencies.length !== count) throw new Error(`expected ${count} deltas through the API, read ${latencies.length}`);
  return latencies;
}

/** The same stream read directly with the SDK: the floor the stack is measured against. */
async function direct(count: number): Promise<number[]> {
  sentAt = [];
  const latencies: number[] = [];
  let index = 0;
  await streamChat(createBedrockClient({ endpoint: standIn.url, credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" } }), {
    model: LOCAL_TEST_MODEL,
    history: [{ role: "user", text: `stream ${count} tokens` }],
    onDelta: () => latencies.push(performance.now() - sentAt[index++]!),
  });
  return latencies;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1)! };
}
const ms = (v: number) => `${v.toFixed(3)} ms`;

// Warm up both paths (JIT, connections, the database).
await throughApi(200);
await direct(200);

const api: number[] = [];
const sdk: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  sdk.push(...(await direct(TOKENS)));
  api.push(...(await throughApi(TOKENS)));
}
const a = summary(api);
const d = summary(sdk);
process.stdout.write(
  [
    `Token latency, model write → client read, ${ROUNDS} rounds × ${TOKENS} tokens (Bedrock stand-in, FerretDB, one process):`,
    `  direct SDK read   n=${d.n}  median ${ms(d.p50)}  p90 ${ms(d.p90)}  p99 ${ms(d.p99)}  max ${ms(d.max)}`,
    `  through the API   n=${a.n}  median ${ms(a.p50)}  p90 ${ms(a.p90)}  p99 ${ms(a.p99)}  max ${ms(a.max)}`,
    `  added by Tandem   median ${ms(a.p50 - d.p50)}  p99 ${ms(a.p99 - d.p99)}  (target: under 5 ms at p99: ${a.p99 - d.p99 < 5 ? "met" : "NOT met"})`,
    "",
  ].join("\n"),
);

server.close();
await closeConnection();
await standIn.close();
await ferret?.stop();
rmSync(dataDir, { recursive: true, force: true });
