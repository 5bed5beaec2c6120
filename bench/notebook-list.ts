/**
 * The notebook list under load (issue 9, item 6): 50 connections for 10 s against the real API
 * (authenticated with a real session's bearer token, in a child process), beside an in-run
 * baseline, a bare Express + mongoose handler running the same query (same filter, sort and
 * limit) on the same database, in its own child process. One tenant has 1,000 notebooks and
 * another 20, among 100,000 notebooks of other tenants in the same collection. Prints req/s,
 * p50, p99, the server's CPU per request (process.cpuUsage of the server process alone; autocannon
 * runs in this process) and the database calls per request.
 * FerretDB on PostgreSQL, as `pnpm dev` runs it (or MONGODB_URI).
 *
 *   pnpm bench:list        (CONNECTIONS=50 SECONDS=10 OTHERS=100000 by default)
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import express from "express";
import mongoose, { Schema, Types } from "mongoose";
import { cpuMs, serveParent, startChild, type Child } from "./children.js";

const JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789";
const SESSION_SECRET = "bench-session-secret-0123456789abcdef0123";
const DATABASE = "bench-list";
const PAGE = 20;

interface Mark {
  readonly cpuMs: number;
  readonly calls: number;
}

/** A server in this (child) process: the Tandem API or the bare handler, counting its database calls. */
async function serve(kind: "api" | "bare"): Promise<void> {
  const uri = `${process.env.BENCH_MONGODB_URI}/${DATABASE}`;
  let calls = 0;
  const count = () => void calls++;
  let server: Server;
  let close: () => Promise<void>;
  if (kind === "api") {
    const { createApp, createDeps } = await import("@tandem/api");
    const { closeConnection } = await import("@tandem/core/database");
    // Logs at the default level, as a stage runs (one line per request), into /dev/null.
    const deps = createDeps({ ...process.env, MONGODB_URI: uri, SESSION_SECRET, JWT_SECRET });
    (await deps.database()).set("debug", count);
    server = createApp(deps).listen(0, "127.0.0.1");
    close = closeConnection;
  } else {
    const connection = await mongoose.createConnection(uri).asPromise();
    connection.set("debug", count);
    const notebooks = connection.model("Notebook", new Schema({}, { strict: false, collection: "notebooks" }));
    const userId = new Types.ObjectId(process.env.BENCH_USER_ID);
    const app = express();
    app.get("/api/orgs/:orgId/notebooks", async (req, res) => {
      const docs = await notebooks
        .find({ tenantId: new Types.ObjectId(req.params.orgId), userId })
        .sort({ lastActivityAt: -1, _id: -1 })
        .limit(PAGE + 1)
        .lean<Array<{ _id: unknown; title: string; systemPrompt?: string; modelId: string; createdAt: Date; lastActivityAt: Date }>>();
      const page = docs.slice(0, PAGE).map((d) => ({ id: String(d._id), title: d.title, systemPrompt: d.systemPrompt ?? "", modelId: d.modelId, createdAt: d.createdAt, lastActivityAt: d.lastActivityAt }));
      const last = page.at(-1);
      res.json({ notebooks: page, nextCursor: docs.length > PAGE && last ? Buffer.from(`${last.lastActivityAt.toISOString()}|${last.id}`).toString("base64url") : undefined });
    });
    server = app.listen(0, "127.0.0.1");
    close = () => connection.close();
  }
  await new Promise((resolve) => server.once("listening", resolve));
  serveParent(`http://127.0.0.1:${(server.address() as { port: number }).port}`, { mark: (): Mark => ({ cpuMs: cpuMs(), calls }) }, async () => {
    server.close();
    await close().catch(() => undefined);
  });
}

if (process.argv[2] === "serve") {
  await serve(process.argv[3] as "api" | "bare");
} else {
  await main();
}

async function main(): Promise<void> {
  const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
  const SECONDS = Number(process.env.SECONDS ?? 10);
  const OTHERS = Number(process.env.OTHERS ?? 100_000);
  const { closeConnection, getConnection } = await import("@tandem/core/database");
  const { signAccessToken, startSession, userModel } = await import("@tandem/core/identity");
  const { LOCAL_TEST_MODEL } = await import("@tandem/core/ai");
  const { notebookModel } = await import("@tandem/core/notebooks");
  const { createOrganisation } = await import("@tandem/core/tenants");
  const { withTenant } = await import("@tandem/core/tenancy");
  const { startFerretDB, startPostgres } = await import("@tandem/local");

  const dataDir = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-list-"));
  const postgres = process.env.MONGODB_URI ? undefined : await startPostgres({ dataDir: path.join(dataDir, "postgres"), name: "postgres-bench" });
  const ferret = postgres ? await startFerretDB({ dataDir: path.join(dataDir, "ferretdb"), name: "ferretdb-bench", postgresUrl: postgres.url }) : undefined;
  const baseUri = process.env.MONGODB_URI ?? ferret!.uri;
  const connection = await getConnection({ uri: `${baseUri}/${DATABASE}` });
  await connection.dropDatabase();
  await notebookModel(connection).init();

  const user = await userModel(connection).create({ email: "bench@example.com", name: "Bench", emailVerifiedAt: new Date() });
  const userId = String(user._id);
  const large = await createOrganisation(connection, userId, { name: "Large", slug: "large" });
  const small = await createOrganisation(connection, userId, { name: "Small", slug: "small" });
  const session = await startSession(connection, userId);
  const token = await signAccessToken(JWT_SECRET, { userId, sessionId: session.sessionId });

  const started = Date.now();
  const at = (i: number) => new Date(started - i * 60_000);
  const notebook = (owner: unknown, i: number) => ({ userId: owner, title: `Notebook ${i}`, systemPrompt: "", modelId: LOCAL_TEST_MODEL.id, lastActivityAt: at(i) });
  /** insertMany in batches, through the model (the tenancy plugin sets each tenant's id). */
  async function seed(tenantId: string, docs: ReturnType<typeof notebook>[]): Promise<void> {
    for (let i = 0; i < docs.length; i += 2_000) await withTenant(tenantId, () => notebookModel(connection).insertMany(docs.slice(i, i + 2_000)));
  }
  await seed(large.id, Array.from({ length: 1_000 }, (_, i) => notebook(user._id, i)));
  await seed(small.id, Array.from({ length: 20 }, (_, i) => notebook(user._id, i)));
  // Other tenants: 100 of them, 1,000 notebooks each by 10 people, in the same collection.
  const perTenant = 1_000;
  for (let t = 0; t * perTenant < OTHERS; t++) {
    const people = Array.from({ length: 10 }, () => new Types.ObjectId());
    await seed(new Types.ObjectId().toString(), Array.from({ length: Math.min(perTenant, OTHERS - t * perTenant) }, (_, i) => notebook(people[i % 10], i)));
  }
  process.stdout.write(`Seeded ${(await notebookModel(connection).collection.estimatedDocumentCount()).toLocaleString("en")} notebooks in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);

  interface Row {
    readonly rps: number;
    readonly p50: number;
    readonly p99: number;
    readonly cpu: number;
    readonly calls: number;
    readonly requests: number;
  }

  async function load(server: Child, orgId: string, withToken: boolean): Promise<Row> {
    const url = `${server.url}/api/orgs/${orgId}/notebooks`;
    const headers: Record<string, string> = withToken ? { authorization: `Bearer ${token}` } : {};
    const check = await fetch(url, { headers });
    const body = (await check.json()) as { notebooks?: unknown[] };
    if (!check.ok || body.notebooks?.length !== PAGE) throw new Error(`${url} answered ${check.status}: ${JSON.stringify(body).slice(0, 300)}`);
    // Database calls per request, counted over requests made one after another (under load, the
    // requests still in flight when the run ends would blur the count).
    const probeStart = await server.ask<Mark>("mark");
    for (let i = 0; i < 20; i++) await (await fetch(url, { headers })).arrayBuffer();
    const calls = ((await server.ask<Mark>("mark")).calls - probeStart.calls) / 20;
    // A slow answer is counted late, not as an error (autocannon's default gives up after 10 s).
    await autocannon({ url, connections: CONNECTIONS, duration: 2, headers, timeout: 60 });
    const before = await server.ask<Mark>("mark");
    const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers, timeout: 60 });
    const after = await server.ask<Mark>("mark");
    if (result.non2xx || result.errors) process.stdout.write(`  (${url}: ${result.non2xx} answers were not 2xx, ${result.errors} errors of which ${result.timeouts} timeouts)\n`);
    const requests = result.requests.total;
    return { rps: requests / SECONDS, p50: result.latency.p50, p99: result.latency.p99, cpu: requests ? (after.cpuMs - before.cpuMs) / requests : NaN, calls, requests };
  }

  async function measure(kind: "api" | "bare", orgId: string): Promise<Row> {
    const server = await startChild("notebook-list.ts", ["serve", kind], { BENCH_MONGODB_URI: baseUri, BENCH_USER_ID: userId, MONGODB_URI: undefined });
    try {
      return await load(server, orgId, kind === "api");
    } finally {
      await server.stop();
    }
  }

  const line = (label: string, r: Row) =>
    `  ${label.padEnd(28)} ${r.rps.toFixed(0).padStart(6)} req/s   p50 ${r.p50.toFixed(1).padStart(6)} ms   p99 ${r.p99.toFixed(1).padStart(6)} ms   CPU ${r.cpu.toFixed(2).padStart(5)} ms/request   ${r.calls.toFixed(2)} database calls/request   (${r.requests} requests)`;
  const ratio = (a: number, b: number, target: number) => (a > 0 && b > 0 ? verdict(a / b, target) : "not measured (a run completed no request)");
  const verdict = (value: number, target: number) => `${value.toFixed(2)}× (target ≤ ${target}×: ${value <= target ? "met" : "NOT met"})`;

  const out: string[] = [];
  for (const [label, orgId] of [
    ["1,000 notebooks", large.id],
    ["20 notebooks", small.id],
  ] as const) {
    const bare = await measure("bare", orgId);
    const api = await measure("api", orgId);
    const report = [
      `Notebook list, a tenant with ${label} (+${OTHERS.toLocaleString("en")} of other tenants in the collection), ${CONNECTIONS} connections × ${SECONDS} s:`,
      line("bare Express + mongoose", bare),
      line("Tandem API", api),
      `  API / bare: p50 ${ratio(api.p50, bare.p50, 1.2)}, CPU per request ${ratio(api.cpu, bare.cpu, 2)}, ${(api.rps / bare.rps).toFixed(2)}× the throughput`,
      "",
    ].join("\n");
    process.stdout.write(report + "\n");
    out.push(report);
  }

  await closeConnection();
  await ferret?.stop();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
