import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { INTERRUPTED_REPLY, messageModel, STALE_REPLY_MS } from "@tandem/core/notebooks";
import { withTenant } from "@tandem/core/tenancy";
import { startBedrockStandIn, startFerretDB, type BedrockStandIn, type FerretDB } from "@tandem/local";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityHarness, type IdentityHarness, type SignedIn } from "./helpers.js";

/** Issue 8, item 8: the database goes away under a running API, mid-request and mid-reply. */
let dataDir: string;
let ferret: FerretDB;
let standIn: BedrockStandIn;
let h: IdentityHarness;
let server: Server;
let base: string;
let ann: SignedIn;
let orgId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "tandem-db-outage-"));
  // A database of its own, so stopping it does not disturb the other tests.
  ferret = await startFerretDB({ dataDir, name: "ferretdb-db-outage" });
  standIn = await startBedrockStandIn({ tokenDelayMs: 15 });
  h = await identityHarness("db-outage", { source: { MONGODB_URI: `${ferret.uri}/db-outage`, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url } });
  ann = await h.member("ann@example.com", "Ann");
  orgId = (await ann.agent.post("/api/orgs").set("x-csrf-token", ann.csrf).send({ name: "Ann Co", slug: "ann-co" }).expect(201)).body.organisation.id;
  server = h.app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server?.close();
  await standIn?.close();
  await h?.close();
  await ferret?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const notebook = async () => (await ann.agent.post(`/api/orgs/${orgId}/notebooks`).set("x-csrf-token", ann.csrf).send({}).expect(201)).body.notebook.id as string;

describe("while the database is down", () => {
  it("answers 503 with Retry-After within 2 s, and recovers without a restart", async () => {
    await ferret.stop({ abruptly: true });
    try {
      for (const send of [() => request(h.app).get("/api/health"), () => ann.agent.get("/api/orgs"), () => request(h.app).post("/api/auth/sign-in").send({ email: "ann@example.com", password: "whatever it is" })]) {
        const started = performance.now();
        const res = await send();
        const elapsed = performance.now() - started;
        expect(res.status, JSON.stringify(res.body)).toBe(503);
        expect(res.headers["retry-after"]).toBe("5");
        if (res.body.code !== undefined) {
          expect(res.body.code).toMatch(/^database\./);
          expect(res.body.detail).toContain("Try again");
        } else expect(res.body.checks.database.status).toBe("down");
        expect(elapsed).toBeLessThan(2_000);
      }
    } finally {
      await ferret.start();
    }
    await expect.poll(async () => (await ann.agent.get("/api/orgs")).status, { timeout: 30_000, interval: 500 }).toBe(200);
  });
});

describe("a reply streaming when the database goes away", () => {
  it("ends failed with the text that reached the user, once the database is back", async () => {
    const id = await notebook();
    const signIn = await fetch(`${base}/api/auth/sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: ann.email, password: ann.password }) });
    const cookies = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const res = await fetch(`${base}/api/orgs/${orgId}/notebooks/${id}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: cookies, "x-csrf-token": decodeURIComponent(/tandem_csrf=([^;]+)/.exec(cookies)![1]!) },
      body: JSON.stringify({ text: "stream 200 tokens please" }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let shown = "";
    let last: { event: string; data: { code?: string } } | undefined;
    let deltas = 0;
    let stopped = false;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1] ?? "message";
        const data = JSON.parse(/^data: (.+)$/m.exec(block)?.[1] ?? "null") as { text?: string; code?: string };
        if (event === "delta") {
          shown += data.text ?? "";
          deltas += 1;
          // Some text has reached the user (and been saved part-way): now the database goes.
          if (deltas === 40 && !stopped) {
            stopped = true;
            void ferret.stop({ abruptly: true });
          }
        }
        last = { event, data };
      }
    }
    expect(stopped).toBe(true);
    expect(last).toMatchObject({ event: "error", data: { code: "database.unavailable" } });
    expect(shown.split(" ").filter(Boolean)).toHaveLength(200);

    await ferret.start();
    const settled = async () => {
      const res = await ann.agent.get(`/api/orgs/${orgId}/notebooks/${id}`);
      return res.status === 200 ? (res.body.messages as Array<{ role: string; status: string; content: string; error?: string }>).find((m) => m.role === "assistant") : undefined;
    };
    await expect.poll(async () => (await settled())?.status, { timeout: 45_000, interval: 500 }).toBe("failed");
    const reply = (await settled())!;
    expect(reply.content).toBe(shown);
    expect(reply.error).toContain("could not be saved");
  });

  it("is settled as failed, with what was saved of it, when its writer died and the notebook is read", async () => {
    const id = await notebook();
    const database = await h.deps.database();
    const tenantMessages = () => messageModel(database);
    const stale = new Date(Date.now() - STALE_REPLY_MS - 60_000);
    const doc = await withTenant(orgId, () => tenantMessages().create({ notebookId: id, userId: ann.userId, role: "assistant", content: "Half an ans", status: "streaming" }));
    await withTenant(orgId, () => tenantMessages().updateOne({ _id: doc._id }, { $set: { updatedAt: stale } }, { timestamps: false }));
    const fresh = await withTenant(orgId, () => tenantMessages().create({ notebookId: id, userId: ann.userId, role: "assistant", content: "Still going", status: "streaming" }));
    const res = await ann.agent.get(`/api/orgs/${orgId}/notebooks/${id}`).expect(200);
    const byId = new Map((res.body.messages as Array<{ id: string; status: string; content: string; error?: string }>).map((m) => [m.id, m]));
    expect(byId.get(String(doc._id))).toMatchObject({ status: "failed", content: "Half an ans", error: INTERRUPTED_REPLY });
    // One that may still be streaming somewhere is left alone.
    expect(byId.get(String(fresh._id))).toMatchObject({ status: "streaming" });
  });
});
