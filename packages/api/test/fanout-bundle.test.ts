import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LiveServerMessage } from "@tandem/client/contract";
import { getConnection, closeConnection } from "@tandem/core/database";
import { issueLiveTicket, publishLive } from "@tandem/core/live";
import { waitForPort } from "@tandem/local";
import getPort from "get-port";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { WebSocket } from "ws";
import { TEST_SECRETS } from "./helpers.js";

/**
 * The subscriber fan-out as its container runs it: bundled by scripts/bundle-fanout.mjs into one
 * file (what packages/api/fanout.Dockerfile does), started with plain `node`, here in its local
 * mode (which also plays the WebSocket API). A ticket opens a connection, and an event written to
 * the log reaches it through the bundle's fan-out.
 */
const API_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DATABASE = `${inject("mongodbUri")}/api-fanout-bundle`;
const out = mkdtempSync(path.join(tmpdir(), "tandem-fanout-"));
let child: ChildProcess;
let port: number;
let stderr = "";
const objectId = () => randomBytes(12).toString("hex");

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(API_DIR, "scripts/bundle-fanout.mjs"), out], { stdio: "pipe" });
  port = await getPort({ host: "127.0.0.1" });
  child = spawn(process.execPath, [path.join(out, "fanout.mjs"), "--local"], {
    env: { PATH: process.env.PATH, ...TEST_SECRETS, MONGODB_URI: DATABASE, APP_URL: "http://app.tandem.test", LIVE_PORT: String(port), LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr!.on("data", (d: Buffer) => (stderr += String(d)));
  await waitForPort(port, "the bundled fan-out", "(its stderr is printed if the test fails)", 30_000).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${stderr}`);
  });
}, 120_000);
afterAll(async () => {
  child?.kill("SIGTERM");
  rmSync(out, { recursive: true, force: true });
  await closeConnection();
});

it("the bundled fan-out accepts a ticket and delivers an event from the log", async () => {
  const tenantId = objectId();
  const userId = objectId();
  const refused = await new Promise<number>((resolve) => new WebSocket(`ws://127.0.0.1:${port}/`, { origin: "http://app.tandem.test" }).once("unexpected-response", (_q, res) => resolve(res.statusCode!)));
  expect(refused).toBe(401);

  const { ticket } = issueLiveTicket(TEST_SECRETS.SESSION_SECRET, { userId, tenantId });
  const ws = new WebSocket(`ws://127.0.0.1:${port}/?ticket=${encodeURIComponent(ticket)}`, { origin: "http://app.tandem.test" });
  const messages: LiveServerMessage[] = [];
  ws.on("message", (d) => messages.push(LiveServerMessage.parse(JSON.parse(String(d)))));
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  ws.send(JSON.stringify({ type: "subscribe", notebooks: [], list: true }));
  await expect.poll(() => messages.some((m) => m.type === "ready"), { timeout: 10_000 }).toBe(true);

  // A notebook of this person deleted: the list hears of it (no access check needed for its owner).
  const notebookId = objectId();
  await publishLive(await getConnection({ uri: DATABASE }), { tenantId, ownerId: userId, notebookId, kind: "notebook.deleted" });
  await expect.poll(() => messages.find((m) => m.type === "event"), { timeout: 5_000 }).toMatchObject({ kind: "notebook.deleted", notebookId });
  ws.close();
}, 60_000);
