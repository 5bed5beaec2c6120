import type { Server } from "node:http";
import { membershipModel } from "@tandem/core/tenants";
import { configureAccessCache, withTenant } from "@tandem/core/tenancy";
import { startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import type { Connection } from "mongoose";
import request from "supertest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { identityHarness, setCookie, type IdentityHarness, type SignedIn } from "./helpers.js";

/**
 * The access cache (packages/core/src/access/cache.ts): sessions, memberships, organisations and
 * their model policy are read once per TTL instead of on every request; a change made through
 * this process applies at once, one made elsewhere within the TTL. The counts are of database
 * calls (mongoose's debug hook on the app's connection), never of time.
 */
const TTL_MS = 1_000;
let h: IdentityHarness;
let standIn: BedrockStandIn;
let ann: SignedIn;
let bob: SignedIn;
let orgId: string;
let otherOrgId: string;
let connection: Connection;

const write = (who: SignedIn, method: "post" | "patch" | "put" | "delete", path: string) => who.agent[method](path).set("x-csrf-token", who.csrf);
const list = (who: SignedIn, org = orgId) => who.agent.get(`/api/orgs/${org}/notebooks`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function addMember(tenantId: string, userId: string, role: "member" | "admin" = "member"): Promise<void> {
  await withTenant(tenantId, () => membershipModel(connection).create({ userId, role }));
}
/** What another process (another Lambda instance) does: the database changes, this process's cache does not hear of it. */
async function removeElsewhere(tenantId: string, userId: string): Promise<void> {
  await withTenant(tenantId, () => membershipModel(connection).deleteOne({ userId }));
}

/**
 * The database calls `fn` makes through the app's connection; `fn` may read the count so far.
 * Index builds are left out: mongoose makes them once per model and process, in the background.
 */
/** Writes to the live-update log, counted apart (countCalls leaves them out): one per change, off the reply's path. */
let liveWrites = 0;
async function countCalls(fn: (callsSoFar: () => number) => Promise<unknown>): Promise<number> {
  let calls = 0;
  liveWrites = 0;
  connection.set("debug", (collection: string, method: string) => {
    if (collection === "live_events") liveWrites++;
    else if (method !== "createIndex") calls++;
  });
  try {
    await fn(() => calls);
  } finally {
    connection.set("debug", null);
  }
  return calls;
}

/** Signs in again and returns the new session's access token, for use as a bearer token. */
async function bearerFor(who: SignedIn): Promise<string> {
  const res = await request(h.app).post("/api/auth/sign-in").send({ email: who.email, password: who.password }).expect(200);
  return setCookie(res, "tandem_access")!;
}

beforeAll(async () => {
  // Tokens 100 ms apart: a reply's first token reaches the test long before its last is written.
  standIn = await startBedrockStandIn({ tokenDelayMs: 100 });
  h = await identityHarness("api-access-cache-test", { source: { ACCESS_CACHE_TTL_MS: String(TTL_MS), AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url } });
  connection = await h.deps.database();
  ann = await h.member("ann@example.com", "Ann");
  bob = await h.member("bob@example.com", "Bob");
  orgId = (await write(ann, "post", "/api/orgs").send({ name: "Ann Co", slug: "ann-co" }).expect(201)).body.organisation.id;
  otherOrgId = (await write(ann, "post", "/api/orgs").send({ name: "Ann Side", slug: "ann-side" }).expect(201)).body.organisation.id;
  await addMember(orgId, bob.userId);
});
afterEach(() => configureAccessCache({ ttlMs: TTL_MS }));
afterAll(async () => {
  await standIn?.close();
  await h?.close();
});

describe("database calls per request", () => {
  it("reads the session, the membership and the organisation once, then lists with one call", async () => {
    configureAccessCache({ ttlMs: 60_000 });
    // Cold: the session, the membership and the organisation (these two at once), its tier's limits
    // (kept per tier, so shared by every organisation of the tier), then the list.
    expect(await countCalls(() => list(ann).expect(200))).toBe(5);
    // Warm: the list alone (before the cache: 4 on every request).
    expect(await countCalls(() => list(ann).expect(200))).toBe(1);
    expect(await countCalls(() => list(ann).expect(200))).toBe(1);
  });

  it("reads the organisation's model policy with the membership, not again for the route", async () => {
    configureAccessCache({ ttlMs: 60_000 });
    await list(ann).expect(200);
    // GET /models needs the policy: no call at all once the organisation is known.
    expect(await countCalls(() => ann.agent.get(`/api/orgs/${orgId}/models`).expect(200))).toBe(0);
  });

  it("makes five calls before a reply's first token (ten before), in two round trips, and eight in all (thirteen before)", async () => {
    configureAccessCache({ ttlMs: 60_000 });
    const notebookId = (await write(ann, "post", `/api/orgs/${orgId}/notebooks`).send({ title: "Counted" }).expect(201)).body.notebook.id as string;
    const token = await bearerFor(ann);
    const server: Server = h.app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/orgs/${orgId}/notebooks/${notebookId}/messages`;
      const post = () => fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ text: "stream 5 tokens" }) });
      await (await post()).text(); // the session, membership and organisation are now known
      let beforeFirst = -1;
      const all = await countCalls(async (callsSoFar) => {
        const res = await post();
        let text = "";
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          text += Buffer.from(chunk).toString();
          if (beforeFirst < 0 && text.includes("event: delta")) beforeFirst = callsSoFar();
        }
        expect(text).toContain("event: done");
      });
      // The notebook and its messages (at once); both messages in one insert, the notebook's
      // activity and the knowledge files (at once). After the stream: the reply, its usage, and
      // the usage on the meters (one insert of its records).
      expect(beforeFirst).toBe(5);
      expect(all).toBe(8);
      // And for the open views: that a reply started, and that it is there.
      expect(liveWrites).toBe(2);
    } finally {
      server.close();
    }
  });
});

describe("API keys", () => {
  it("reads a key once, then lists with one call; a revoked key is refused at once", async () => {
    configureAccessCache({ ttlMs: 60_000 });
    const created = await write(ann, "post", `/api/orgs/${orgId}/api-keys`).send({ name: "script", scopes: ["read"] }).expect(201);
    const key = (r: ReturnType<typeof request>) => r.get(`/api/orgs/${orgId}/notebooks`).set("authorization", `Bearer ${created.body.secret}`);
    // The key, its person (a disabled person's keys stop), when it was last used (Ann's membership is known from
    // creating the key), its first use in 5 minutes in the audit log (the chain's head, the entry, the head), the list.
    expect(await countCalls(() => key(request(h.app)).expect(200))).toBe(7);
    expect(await countCalls(() => key(request(h.app)).expect(200))).toBe(1);
    await write(ann, "delete", `/api/orgs/${orgId}/api-keys/${created.body.apiKey.id}`).expect(204);
    expect((await key(request(h.app)).expect(401)).body.code).toBe("api_key.invalid");
  });
});

describe("memberships", () => {
  it("ends a member's access through this process at once, whatever the TTL", async () => {
    configureAccessCache({ ttlMs: 60_000 });
    await list(bob).expect(200);
    await write(ann, "delete", `/api/orgs/${orgId}/members/${bob.userId}`).expect(204);
    expect((await list(bob).expect(404)).body.code).toBe("organisation.not_found");
    await addMember(orgId, bob.userId);
    await list(bob).expect(200); // a refusal is never kept: the new membership works at once
  });

  it("ends the access of a member removed elsewhere within the TTL", async () => {
    await list(bob).expect(200);
    await removeElsewhere(orgId, bob.userId);
    await sleep(TTL_MS + 100);
    expect((await list(bob).expect(404)).body.code).toBe("organisation.not_found");
    await addMember(orgId, bob.userId);
    await list(bob).expect(200);
  });

  it("applies a role change through this process at once", async () => {
    configureAccessCache({ ttlMs: 60_000 });
    await write(ann, "patch", `/api/orgs/${orgId}/members/${bob.userId}`).send({ role: "admin" }).expect(200);
    await bob.agent.get(`/api/orgs/${orgId}/invites`).expect(200);
    await write(ann, "patch", `/api/orgs/${orgId}/members/${bob.userId}`).send({ role: "member" }).expect(200);
    expect((await bob.agent.get(`/api/orgs/${orgId}/invites`).expect(403)).body.code).toBe("organisation.role_required");
  });

  it("keeps a membership per organisation and person: one organisation's never answers for another", async () => {
    configureAccessCache({ ttlMs: 60_000 });
    await list(bob).expect(200);
    await list(ann, otherOrgId).expect(200);
    // Bob is known in Ann Co, and Ann Side is known; Bob is still not a member of Ann Side.
    expect((await list(bob, otherOrgId).expect(404)).body.code).toBe("organisation.not_found");
  });

  it("applies a model policy or a rename through this process at once", async () => {
    configureAccessCache({ ttlMs: 60_000 });
    const before = (await bob.agent.get(`/api/orgs/${orgId}/models`).expect(200)).body as { available: Array<{ id: string }>; policy: { allowedModelIds: string[] } };
    expect(before.policy.allowedModelIds).toEqual([]);
    const only = before.available[0]!.id;
    const set = await write(ann, "put", `/api/orgs/${orgId}/model-policy`).send({ allowedModelIds: [only], guardrail: null });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect((await bob.agent.get(`/api/orgs/${orgId}/models`).expect(200)).body.policy.allowedModelIds).toEqual([only]);
    await write(ann, "put", `/api/orgs/${orgId}/model-policy`).send({ allowedModelIds: [], guardrail: null }).expect(200);

    await write(ann, "patch", `/api/orgs/${orgId}`).send({ name: "Ann Company" }).expect(200);
    expect((await bob.agent.get(`/api/orgs/${orgId}`).expect(200)).body.organisation.name).toBe("Ann Company");
  });
});

describe("sessions", () => {
  it("refuses a signed-out session at once in this process, whatever the TTL", async () => {
    configureAccessCache({ ttlMs: 60_000 });
    const token = await bearerFor(bob);
    await request(h.app).get(`/api/orgs/${orgId}/notebooks`).set("authorization", `Bearer ${token}`).expect(200);
    await request(h.app).post("/api/auth/sign-out").set("authorization", `Bearer ${token}`).expect(204);
    expect((await request(h.app).get(`/api/orgs/${orgId}/notebooks`).set("authorization", `Bearer ${token}`).expect(401)).body.code).toBe("session.ended");
  });

  it("refuses every session of a person signed out everywhere at once", async () => {
    configureAccessCache({ ttlMs: 60_000 });
    const first = await bearerFor(bob);
    const second = await bearerFor(bob);
    for (const token of [first, second]) await request(h.app).get(`/api/orgs/${orgId}/notebooks`).set("authorization", `Bearer ${token}`).expect(200);
    await request(h.app).post("/api/auth/sign-out-everywhere").set("authorization", `Bearer ${first}`).expect(204);
    for (const token of [first, second]) await request(h.app).get(`/api/orgs/${orgId}/notebooks`).set("authorization", `Bearer ${token}`).expect(401);
  });

  it("refuses a session ended elsewhere within the TTL", async () => {
    const token = await bearerFor(bob);
    await request(h.app).get(`/api/orgs/${orgId}/notebooks`).set("authorization", `Bearer ${token}`).expect(200);
    const sessionId = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sid as string;
    await connection.collection("refresh_tokens").updateMany({ familyId: sessionId }, { $set: { revokedAt: new Date() } });
    await sleep(TTL_MS + 100);
    expect((await request(h.app).get(`/api/orgs/${orgId}/notebooks`).set("authorization", `Bearer ${token}`).expect(401)).body.code).toBe("session.ended");
  });
});
