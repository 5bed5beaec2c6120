import { auditEntryModel, verifyAuditChain } from "@tandem/core/audit";
import { createOperator } from "@tandem/core/control-plane";
import { resetPassword } from "@tandem/core/identity";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityHarness, linkToken, setCookie, type IdentityHarness, type SignedIn } from "./helpers.js";

/**
 * The audit log over HTTP (issue 10, item 5): what sign-ins, API keys, organisation administration
 * and the control plane record; who may read and export which chain; and that no secret ends up in it.
 */
let h: IdentityHarness;
let alice: SignedIn; // owner of Org A
let bob: SignedIn; // member of Org A
let carol: SignedIn; // owner of Org C
let orgA = "";
let orgC = "";
let apiKeySecret = "";
let apiKeyId = "";

const write = (who: SignedIn, method: "post" | "patch" | "put" | "delete", path: string) => who.agent[method](path).set("x-csrf-token", who.csrf);
const entries = async (filter: Record<string, unknown>) => (await auditEntryModel(await h.deps.database()).find(filter).sort({ tenantId: 1, seq: 1 }).lean()) as Array<Record<string, unknown> & { details: Record<string, unknown>; actor: Record<string, unknown> }>;
/** Entries recorded when an answer finishes arrive just after it. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const until = Date.now() + 5_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  h = await identityHarness("api-audit-test");
  alice = await h.member("alice@a.example", "Alice");
  bob = await h.member("bob@a.example", "Bob");
  carol = await h.member("carol@c.example", "Carol");
  orgA = (await write(alice, "post", "/api/orgs").send({ name: "Org A", slug: "org-a" }).expect(201)).body.organisation.id;
  orgC = (await write(carol, "post", "/api/orgs").send({ name: "Org C", slug: "org-c" }).expect(201)).body.organisation.id;
  const since = h.mail.received.length;
  await write(alice, "post", `/api/orgs/${orgA}/invites`).send({ email: bob.email }).expect(201);
  const token = linkToken(await h.mail.waitFor(bob.email, since), "/invites/accept", h.deps.appUrl);
  await write(bob, "post", "/api/invites/accept").send({ token }).expect(200);
}, 120_000);
afterAll(() => h.close());

describe("sign-ins", () => {
  it("record success in the person's organisations and failure in the system chain, with the address and never the password", async () => {
    await request(h.app).post("/api/auth/sign-in").send({ email: alice.email, password: "not the right passphrase" }).expect(401);
    const failed = await entries({ action: "auth.sign_in_failed", "actor.email": alice.email });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ tenantId: "system", outcome: "failure", address: expect.stringMatching(/127\.0\.0\.1|::1/), details: { method: "password", reason: "auth.invalid_credentials" } });

    await request(h.app).post("/api/auth/sign-in").send({ email: alice.email, password: alice.password }).expect(200);
    const signedIn = await entries({ action: "auth.sign_in", "actor.id": alice.userId, tenantId: orgA });
    expect(signedIn.length).toBeGreaterThanOrEqual(1);
    expect(signedIn.at(-1)).toMatchObject({ outcome: "success", address: expect.any(String), details: { method: "password" }, actor: { kind: "user", id: alice.userId, email: alice.email } });
    // Someone in no organisation signs in into the system chain.
    const loner = await h.member("loner@x.example");
    expect(await entries({ action: "auth.sign_in", "actor.id": loner.userId })).toEqual([expect.objectContaining({ tenantId: "system" })]);
  });
});

describe("organisation administration and API keys", () => {
  it("records key creation, use (once per window), revocation, role changes, invitations and the model policy", async () => {
    const created = await write(alice, "post", `/api/orgs/${orgA}/api-keys`).send({ name: "alice's script", scopes: ["read", "write"] }).expect(201);
    apiKeySecret = created.body.secret;
    apiKeyId = created.body.apiKey.id;
    for (let i = 0; i < 3; i++) await request(h.app).get(`/api/orgs/${orgA}/members`).set("authorization", `Bearer ${apiKeySecret}`).expect(200);
    const used = await entries({ action: "api_key.used", "target.id": apiKeyId });
    expect(used).toHaveLength(1);
    expect(used[0]).toMatchObject({ tenantId: orgA, actor: { kind: "api_key", id: apiKeyId }, address: expect.any(String), details: { userId: alice.userId } });
    expect(await entries({ action: "api_key.created", "target.id": apiKeyId })).toEqual([expect.objectContaining({ tenantId: orgA, actor: expect.objectContaining({ id: alice.userId }), details: expect.objectContaining({ name: "alice's script", scopes: "read write" }) })]);

    await write(alice, "put", `/api/orgs/${orgA}/model-policy`).send({ allowedModelIds: [], guardrail: null }).expect(200);
    expect(await entries({ action: "model_policy.changed", tenantId: orgA })).toEqual([expect.objectContaining({ details: { allowedModels: 0, allowedModelIds: "", guardrail: "none", groups: "none" } })]);

    // Bob, made an admin, may not take the owner's role away: recorded as denied.
    await write(alice, "patch", `/api/orgs/${orgA}/members/${bob.userId}`).send({ role: "admin" }).expect(200);
    await write(bob, "patch", `/api/orgs/${orgA}/members/${alice.userId}`).send({ role: "member" }).expect(403);
    const roles = await entries({ action: "membership.role_changed", tenantId: orgA });
    expect(roles.map((e) => e.outcome)).toEqual(["success", "denied"]);
    expect(roles[0]).toMatchObject({ actor: { kind: "user", id: alice.userId }, target: { type: "user", id: bob.userId }, details: { role: "admin" } });
    expect(roles[1]).toMatchObject({ actor: { kind: "user", id: bob.userId }, target: { type: "user", id: alice.userId }, details: { role: "member", error: "organisation.role_required" } });
    await write(alice, "patch", `/api/orgs/${orgA}/members/${bob.userId}`).send({ role: "member" }).expect(200);

    expect(await entries({ action: "invite.created", tenantId: orgA })).toEqual([expect.objectContaining({ outcome: "success", details: { email: bob.email, role: "member" } })]);
    expect(await entries({ action: "invite.accepted", tenantId: orgA })).toEqual([expect.objectContaining({ actor: expect.objectContaining({ id: bob.userId }) })]);

    await write(alice, "delete", `/api/orgs/${orgA}/api-keys/${apiKeyId}`).expect(204);
    expect(await entries({ action: "api_key.revoked", "target.id": apiKeyId })).toHaveLength(1);
  });
});

describe("reading the log", () => {
  it("lets an organisation's admins read and export their own chain only; a plain member cannot", async () => {
    const page = await alice.agent.get(`/api/orgs/${orgA}/audit?limit=2`).expect(200);
    expect(page.body.entries).toHaveLength(2);
    expect(page.body.entries[0].seq).toBeGreaterThan(page.body.entries[1].seq);
    const next = await alice.agent.get(`/api/orgs/${orgA}/audit?limit=200&cursor=${page.body.nextCursor}`).expect(200);
    const all = [...page.body.entries, ...next.body.entries] as Array<{ tenantId: string; seq: number; action: string }>;
    expect(all.every((e) => e.tenantId === orgA)).toBe(true);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: all.length }, (_, i) => all.length - i));
    const filtered = await alice.agent.get(`/api/orgs/${orgA}/audit?action=api_key.&outcome=success`).expect(200);
    expect(new Set(filtered.body.entries.map((e: { action: string }) => e.action))).toEqual(new Set(["api_key.created", "api_key.used", "api_key.revoked"]));
    await alice.agent.get(`/api/orgs/${orgA}/audit?cursor=bm9wZQ`).expect(400);
    await alice.agent.get(`/api/orgs/${orgA}/audit?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z`).expect(400);

    const exported = await alice.agent.get(`/api/orgs/${orgA}/audit/export?action=auth.`).expect(200);
    expect(exported.headers["content-type"]).toMatch(/^application\/x-ndjson/);
    expect(exported.headers["content-disposition"]).toMatch(/^attachment; filename="org-a-audit-\d{4}-\d\d-\d\d\.jsonl"$/);
    const lines = exported.text.trim().split("\n").map((l) => JSON.parse(l) as { tenantId: string; action: string; seq: number });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.tenantId === orgA && l.action.startsWith("auth."))).toBe(true);

    // Another organisation's log: 404 (ids cannot be probed); a plain member: 403.
    await alice.agent.get(`/api/orgs/${orgC}/audit`).expect(404);
    await alice.agent.get(`/api/orgs/${orgC}/audit/export`).expect(404);
    const dave = await h.member("dave@c.example", "Dave");
    const since = h.mail.received.length;
    await write(carol, "post", `/api/orgs/${orgC}/invites`).send({ email: dave.email }).expect(201);
    await write(dave, "post", "/api/invites/accept").send({ token: linkToken(await h.mail.waitFor(dave.email, since), "/invites/accept", h.deps.appUrl) }).expect(200);
    expect((await dave.agent.get(`/api/orgs/${orgC}/audit`).expect(403)).body.code).toBe("organisation.role_required");
    await dave.agent.get(`/api/orgs/${orgC}/audit/export`).expect(403);
    await carol.agent.get(`/api/orgs/${orgC}/audit`).expect(200);
  });
});

describe("the control plane", () => {
  it("records operators' writes and refused token requests; operators read every chain with tandem/audit or their session", async () => {
    const { token } = await createOperator(await h.deps.database(), "ops@tandem.test");
    const password = "an operator's long passphrase";
    await resetPassword(await h.deps.database(), token, password);
    const operator = request.agent(h.app);
    const signIn = await operator.post("/api/auth/sign-in").send({ email: "ops@tandem.test", password }).expect(200);
    const csrf = setCookie(signIn, "tandem_csrf")!;
    const operatorId = signIn.body.account.id as string;

    const audit = await operator.post("/control-plane/clients").set("x-csrf-token", csrf).send({ name: "auditor", scopes: ["tandem/audit"] }).expect(201);
    const reader = await operator.post("/control-plane/clients").set("x-csrf-token", csrf).send({ name: "reader", scopes: ["tenant/tenant_read"] }).expect(201);
    await operator.put(`/control-plane/tenants/${orgC}/deactivate`).set("x-csrf-token", csrf).expect(200);

    const requests = await eventually(() => entries({ action: "control_plane.request", "actor.id": operatorId }), (e) => e.length >= 3);
    expect(requests.find((e) => e.tenantId === orgC)).toMatchObject({ actor: { kind: "operator", id: operatorId }, outcome: "success", details: { method: "PUT", route: "/control-plane/tenants/:tenantId/deactivate", status: 200 } });
    expect(requests.filter((e) => e.tenantId === "system" && e.details.route === "/control-plane/clients")).toHaveLength(2);
    // The lifecycle move itself, in the tenant's chain.
    expect(await entries({ action: "tenant.transition", tenantId: orgC })).toEqual([expect.objectContaining({ actor: { kind: "operator", id: operatorId }, details: { to: "suspended", cause: "deactivated" } })]);

    const clientSecret = audit.body.data.clientSecret as string;
    await request(h.app).post("/control-plane/oauth/token").auth(audit.body.data.clientId, "wrong-secret").type("form").send({ grant_type: "client_credentials" }).expect(401);
    const refused = await eventually(() => entries({ action: "auth.client_token_failed" }), (e) => e.length >= 1);
    expect(refused).toEqual([expect.objectContaining({ tenantId: "system", actor: { kind: "client", id: audit.body.data.clientId }, outcome: "denied", details: { status: 401 } })]);

    const bearer = (await request(h.app).post("/control-plane/oauth/token").auth(audit.body.data.clientId, clientSecret).type("form").send({ grant_type: "client_credentials" }).expect(200)).body.access_token as string;
    const everything = await request(h.app).get("/control-plane/audit?limit=200").set("authorization", `Bearer ${bearer}`).expect(200);
    const chains = new Set(everything.body.data.map((e: { tenantId: string }) => e.tenantId));
    expect(chains).toContain(orgA);
    expect(chains).toContain(orgC);
    expect(chains).toContain("system");
    const onlyA = await request(h.app).get(`/control-plane/audit?tenantId=${orgA}&limit=5`).set("authorization", `Bearer ${bearer}`).expect(200);
    expect(onlyA.body.data.every((e: { tenantId: string }) => e.tenantId === orgA)).toBe(true);
    expect(onlyA.body.next_start_key).toEqual(expect.any(String));
    const exported = await request(h.app).get("/control-plane/audit/export?tenantId=system").set("authorization", `Bearer ${bearer}`).expect(200);
    expect(exported.headers["content-type"]).toMatch(/^application\/x-ndjson/);
    expect(exported.text.trim().split("\n").every((l) => (JSON.parse(l) as { tenantId: string }).tenantId === "system")).toBe(true);
    await operator.get("/control-plane/audit?tenantId=system").expect(200);

    // Without the scope, or as an organisation's owner, or with nobody: refused.
    const readerToken = (await request(h.app).post("/control-plane/oauth/token").auth(reader.body.data.clientId, reader.body.data.clientSecret).type("form").send({ grant_type: "client_credentials" }).expect(200)).body.access_token as string;
    await request(h.app).get("/control-plane/audit").set("authorization", `Bearer ${readerToken}`).expect(403);
    await alice.agent.get("/control-plane/audit").expect(403);
    await request(h.app).get("/control-plane/audit/export").expect(401);
  });
});

describe("the whole log", () => {
  it("holds no secret: no password, API key secret or client secret anywhere, and every chain verifies", async () => {
    const dump = JSON.stringify(await auditEntryModel(await h.deps.database()).find({}).lean());
    expect(apiKeySecret).toMatch(/^tdm_/);
    for (const secret of [apiKeySecret, alice.password, bob.password, "not the right passphrase", "an operator's long passphrase", "wrong-secret"]) expect(dump).not.toContain(secret);
    expect(dump).not.toContain("tdm_");
    const result = await verifyAuditChain(await h.deps.database());
    expect(result.ok).toBe(true);
    expect(result.chains.length).toBeGreaterThanOrEqual(3);
  });
});
