import { completeStrandedRegistrations, DETAIL_TYPES, registrationModel, registrationTenantId } from "@tandem/core/control-plane";
import { startSession } from "@tandem/core/identity";
import { tenantModel } from "@tandem/core/tenants";
import { randomBytes } from "node:crypto";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { handler as eventsHandler } from "../src/jobs/events.js";
import { identityHarness, linkToken, type IdentityHarness, type SignedIn, clientToken, setCookie, signInOperator } from "./helpers.js";
import { planesBus, type PlanesBus } from "./planes-bus.js";

/**
 * SBT's registration flow, user management, tenant config and Tandem's tiers, replayed against the
 * control plane with a client-credentials token and only the base URL changed: registrations make
 * their tenant once (however often sent, whatever crash came between), people are added to
 * tenants, changed, disabled, enabled and deleted, and a tier's limits hold in the app.
 */
const aws = inject("awsEnv");
let bus: PlanesBus;
let h: IdentityHarness;
let operator: SignedIn;
let bearer: string;

const call = (method: "get" | "post" | "put" | "patch" | "delete", path: string) => request(h.app)[method](`/control-plane${path}`).set("authorization", `Bearer ${bearer}`);

beforeAll(async () => {
  bus = await planesBus(aws, "tandem-sbt-test");
  h = await identityHarness("api-control-plane-sbt-test", { source: { ...aws, EVENT_BUS_NAME: bus.name, KNOWLEDGE_FILES_BUCKET: "tandem-sbt-test-files" } });
  operator = await signInOperator(h, "ops@tandem.test");
  bearer = await clientToken(h, operator, ["tenant/tenant_read", "tenant/tenant_write", "user/user_read", "user/user_write"], "sbt scripts");
}, 120_000);
afterAll(async () => {
  await h.close();
  await bus.close();
});

describe("SBT's registration flow", () => {
  it("registers, provisions through both planes, reads, patches within the allow-list and deletes", async () => {
    const body = { tenantData: { tenantName: "Quay Systems", email: "owner@quay.test", tier: "standard" }, tenantRegistrationData: { plan_code: "q-1", seats: 12 } };
    const created = await call("post", "/tenant-registrations").set("idempotency-key", "reg-quay-1").send(body).expect(201);
    const { tenantRegistrationId, tenantId } = created.body.data;
    expect(created.body.data.message).toBe("Tenant registration initiated");
    expect((await call("get", `/tenant-registrations/${tenantRegistrationId}`).expect(200)).body.data).toMatchObject({ tenantId, registrationStatus: "In progress", sbtaws_active: true, tenantRegistrationData: { plan_code: "q-1", seats: 12 } });

    // The same request again: the same registration and tenant, nothing sent twice.
    const again = await call("post", "/tenant-registrations").set("idempotency-key", "reg-quay-1").send(body).expect(201);
    expect(again.body.data).toMatchObject({ tenantRegistrationId, tenantId });
    expect(again.headers["idempotent-replayed"]).toBe("true");
    await call("post", "/tenant-registrations").set("idempotency-key", "reg-quay-1").send({ ...body, tenantData: { ...body.tenantData, tier: "premium" } }).expect(409);

    const [onboarding] = await bus.messages();
    expect(JSON.parse(onboarding!.Body!).detail).toMatchObject({ tenantId, tenantRegistrationId, plan_code: "q-1", tier: "standard" });
    // (Taken off the queue to read it: handed to the consumer as Lambda would.)
    expect((await eventsHandler(bus.sqsEvent([onboarding!]), h.deps)).batchItemFailures).toEqual([]);
    expect(await bus.drain(h.deps)).toEqual([DETAIL_TYPES.provisionSuccess]);
    expect((await call("get", `/tenant-registrations/${tenantRegistrationId}`).expect(200)).body.data.registrationStatus).toBe("created");
    expect((await call("get", `/tenant-registrations?tenantId=${tenantId}`).expect(200)).body.data).toHaveLength(1);

    const patched = await call("patch", `/tenant-registrations/${tenantRegistrationId}`).send({ tenantRegistrationData: { seats: 20 }, tenantData: { tenantName: "Quay Systems Ltd" } }).expect(200);
    expect(patched.body.data.tenantRegistration.tenantRegistrationData).toEqual({ plan_code: "q-1", seats: 20 });
    expect(patched.body.data.tenant.tenantName).toBe("Quay Systems Ltd");
    // Fields outside the allow-list are refused, not written.
    await call("patch", `/tenant-registrations/${tenantRegistrationId}`).send({ tenantData: { status: "active" } }).expect(400);
    await call("patch", `/tenant-registrations/${tenantRegistrationId}`).send({ tenantRegistrationData: { tenantId: "x" } }).expect(400);
    await call("patch", `/tenant-registrations/${tenantRegistrationId}`).send({ tenantRegistrationData: { note: "x".repeat(501) } }).expect(400);

    await call("delete", `/tenant-registrations/${tenantRegistrationId}`).expect(200);
    await call("delete", `/tenant-registrations/${tenantRegistrationId}`).expect(200);
    expect((await call("get", `/tenant-registrations/${tenantRegistrationId}`).expect(200)).body.data).toMatchObject({ registrationStatus: "Deleting", sbtaws_active: false });
    expect((await bus.messages()).map((m) => JSON.parse(m.Body!)["detail-type"])).toEqual([DETAIL_TYPES.offboardingRequest]);
  });

  it("completes a registration a crash left without its tenant, once: by a repeat of the request or by the sweeper", async () => {
    const database = await h.deps.database();
    // What a crash between the registration's write and its tenant's leaves.
    const stranded = randomBytes(12).toString("hex");
    const tenantId = registrationTenantId(stranded);
    await registrationModel(database).create({ _id: stranded, tenantId, tenantData: { tenantName: "Stranded Co", email: "owner@stranded.test", tier: "basic" }, data: {}, actor: "client:test", createdAt: new Date(Date.now() - 120_000) });
    await registrationModel(database).updateOne({ _id: stranded }, { $set: { createdAt: new Date(Date.now() - 120_000) } }, { timestamps: false });
    expect((await call("get", `/tenant-registrations/${stranded}`).expect(200)).body.data.registrationStatus).toBe("In progress");
    expect(await completeStrandedRegistrations(database, h.deps.events)).toBe(1);
    expect(await completeStrandedRegistrations(database, h.deps.events)).toBe(0);
    expect(await tenantModel(database).countDocuments({ _id: tenantId })).toBe(1);
    expect((await bus.messages()).map((m) => JSON.parse(m.Body!).detail.tenantRegistrationId)).toEqual([String(stranded)]);

    // One deleted before its tenant was made stays without one, whatever repeats or sweeps.
    const deleted = randomBytes(12).toString("hex");
    await registrationModel(database).create({ _id: deleted, tenantId: registrationTenantId(deleted), tenantData: { tenantName: "Withdrawn Co", email: "owner@withdrawn.test", tier: "basic" }, data: {}, actor: "client:test" });
    await call("delete", `/tenant-registrations/${deleted}`).expect(200);
    await registrationModel(database).updateOne({ _id: deleted }, { $set: { createdAt: new Date(Date.now() - 120_000) } }, { timestamps: false });
    expect(await completeStrandedRegistrations(database, h.deps.events)).toBe(0);
    expect(await tenantModel(database).countDocuments({ _id: registrationTenantId(deleted) })).toBe(0);
  });

  it("pages registrations with next_token", async () => {
    for (const n of [1, 2, 3]) await call("post", "/tenant-registrations").send({ tenantData: { tenantName: `Paged ${n}`, email: `p${n}@paged.test` } }).expect(201);
    const first = await call("get", "/tenant-registrations?limit=2").expect(200);
    expect(first.body.data).toHaveLength(2);
    const second = await call("get", `/tenant-registrations?limit=2&next_token=${first.body.next_token}`).expect(200);
    expect(second.body.data[0].tenantRegistrationId > first.body.data[1].tenantRegistrationId).toBe(true);
    await bus.messages();
  });
});

/** A tenant made through the control plane and provisioned, with its owner signed up and joined. */
async function activeTenant(name: string, owner: string): Promise<{ tenantId: string; owner: SignedIn }> {
  const since = h.mail.received.length;
  const { tenantId } = (await call("post", "/tenant-registrations").send({ tenantData: { tenantName: name, email: owner } }).expect(201)).body.data;
  await bus.drain(h.deps);
  const invite = linkToken(await h.mail.waitFor(owner, since), "/invites/accept", h.deps.appUrl);
  const person = await h.member(owner);
  await person.agent.post("/api/invites/accept").set("x-csrf-token", person.csrf).send({ token: invite }).expect(200);
  return { tenantId, owner: person };
}

describe("SBT's user management", () => {
  it("adds a person to a tenant by mail, lists, renames, changes the role, disables, enables and deletes them", async () => {
    const { tenantId, owner } = await activeTenant("Users Inc", "owner@users.test");
    const since = h.mail.received.length;
    const created = await call("post", "/users").send({ email: "New.Person@users.test", userName: "New Person", userRole: "admin", tenantId }).expect(201);
    const user = created.body.data;
    expect(user).toMatchObject({ email: "new.person@users.test", userName: "New Person", userRole: "admin", enabled: true, status: "FORCE_CHANGE_PASSWORD" });
    expect((await bus.messages()).map((m) => JSON.parse(m.Body!)["detail-type"])).toEqual([DETAIL_TYPES.tenantUserCreated]);
    await call("post", "/users").send({ email: "new.person@users.test", userRole: "member", tenantId }).expect(409);
    // With an Idempotency-Key, a repeat answers what the first made (one mail, one membership); another body with it is refused.
    const keyed = { email: "keyed@users.test", userRole: "member", tenantId };
    const first = await call("post", "/users").set("idempotency-key", "add-keyed-1").send(keyed).expect(201);
    const repeat = await call("post", "/users").set("idempotency-key", "add-keyed-1").send(keyed).expect(201);
    expect(repeat.headers["idempotent-replayed"]).toBe("true");
    expect(repeat.body.data.userId).toBe(first.body.data.userId);
    expect((await call("post", "/users").set("idempotency-key", "add-keyed-1").send({ ...keyed, userRole: "admin" }).expect(409)).body.code).toBe("idempotency.key_reused");
    await call("delete", `/users/${first.body.data.userId}`).expect(200);
    await call("post", "/users").send({ email: "x@users.test", tenantId, isAdmin: true }).expect(400);

    // The mailed link sets the password; the person signs in and is an admin of the tenant.
    const reset = linkToken(await h.mail.waitFor("new.person@users.test", since), "/reset-password", h.deps.appUrl);
    await request(h.app).post("/api/accounts/password-reset/confirm").send({ token: reset, password: "a brand new passphrase" }).expect(200);
    const agent = request.agent(h.app);
    const signIn = await agent.post("/api/auth/sign-in").send({ email: "new.person@users.test", password: "a brand new passphrase" }).expect(200);
    const csrf = setCookie(signIn, "tandem_csrf")!;
    await agent.get(`/api/orgs/${tenantId}/members`).expect(200);
    const key = (await agent.post(`/api/orgs/${tenantId}/api-keys`).set("x-csrf-token", csrf).send({ name: "script", scopes: ["read"] }).expect(201)).body.secret as string;

    const listed = await call("get", `/users?tenantId=${tenantId}`).expect(200);
    expect(listed.body.data.map((u: { email: string; userRole: string }) => `${u.email}:${u.userRole}`).sort()).toEqual(["new.person@users.test:admin", "owner@users.test:owner"]);
    expect((await call("put", `/users/${user.userId}`).send({ userName: "Renamed", userRole: "member", tenantId }).expect(200)).body.data).toMatchObject({ userName: "Renamed", userRole: "member" });
    // Not the address (theirs to change and confirm), and a role needs its tenant.
    await call("put", `/users/${user.userId}`).send({ email: "hijack@evil.test" }).expect(400);
    await call("put", `/users/${user.userId}`).send({ userRole: "owner" }).expect(400);
    // The last owner stays an owner.
    await call("put", `/users/${owner.userId}`).send({ userRole: "member", tenantId }).expect(409);

    // Disabled: the session and the API key stop at once; sign-in is refused. Enabled: sign-in works again.
    expect((await call("put", `/users/${user.userId}/disable`).expect(200)).body.data.enabled).toBe(false);
    await agent.get(`/api/orgs/${tenantId}/members`).expect(401);
    await request(h.app).get("/api/me").set("authorization", `Bearer ${key}`).expect(401);
    await request(h.app).post("/api/auth/sign-in").send({ email: "new.person@users.test", password: "a brand new passphrase" }).expect(401);
    await call("put", `/users/${user.userId}/enable`).expect(200);
    await request(h.app).post("/api/auth/sign-in").send({ email: "new.person@users.test", password: "a brand new passphrase" }).expect(200);
    await call("delete", `/users/${user.userId}/disable`).expect(200);
    await call("put", `/users/${user.userId}/enable`).expect(200);

    // Deleted: gone from the tenant, the key revoked, the event sent. The last owner cannot be deleted.
    await call("delete", `/users/${owner.userId}`).expect(409);
    await call("delete", `/users/${user.userId}`).expect(200);
    await call("get", `/users/${user.userId}`).expect(404);
    await request(h.app).get("/api/me").set("authorization", `Bearer ${key}`).expect(401);
    expect((await bus.messages()).map((m) => JSON.parse(m.Body!)["detail-type"])).toContain(DETAIL_TYPES.tenantUserDeleted);
    expect((await call("get", `/users?tenantId=${tenantId}`).expect(200)).body.data).toHaveLength(1);
  });
});

describe("tenant config and tiers", () => {
  it("answers a tenant's config by id and by name", async () => {
    const { tenantId } = await activeTenant("Config Works", "owner@config.test");
    const byId = await call("get", `/tenant-config?tenantId=${tenantId}`).expect(200);
    expect(byId.body).toMatchObject({ tenantId, tenantName: "Config Works", slug: "config-works", tier: "basic", isActive: true, limits: { members: 10, files: 100 } });
    expect((await call("get", "/tenant-config?tenantName=config-works").expect(200)).body.tenantId).toBe(tenantId);
    expect((await call("get", "/tenant-config?tenantName=Config%20Works").expect(200)).body.tenantId).toBe(tenantId);
    await call("get", "/tenant-config?tenantName=nobody").expect(404);
    await call("get", "/tenant-config").expect(400);
  });

  it("enforces a tier's members, files and models, as an operator sets them", async () => {
    const { tenantId, owner } = await activeTenant("Tiny Tier", "owner@tiny.test");
    await call("put", "/tenants/" + tenantId).send({ tier: "tiny" }).expect(200);
    await call("put", "/tiers/tiny").send({ limits: { members: 2, files: 1, models: ["model-that-does-not-exist"] } }).expect(200);
    await call("put", "/tiers/tiny").send({ limits: { members: 0, files: 1 } }).expect(400);
    expect((await call("get", "/tiers").expect(200)).body.data.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(["basic", "premium", "standard", "tiny"]));
    const { clearAccessCache } = await import("@tandem/core/tenancy");
    clearAccessCache();

    // Members: the second joins, the third is refused with the tier named.
    await call("post", "/users").send({ email: "second@tiny.test", tenantId }).expect(201);
    const third = await call("post", "/users").send({ email: "third@tiny.test", tenantId }).expect(409);
    expect(third.body.code).toBe("tier.limit_reached");
    expect(third.body.detail).toContain("tiny");

    // Files: one upload, then refused.
    const notebook = (await owner.agent.post(`/api/orgs/${tenantId}/notebooks`).set("x-csrf-token", owner.csrf).send({}).expect(201)).body.notebook;
    const upload = (n: number) => owner.agent.post(`/api/orgs/${tenantId}/notebooks/${notebook.id}/files`).set("x-csrf-token", owner.csrf).send({ name: `notes-${n}.txt`, type: "text/plain", size: 10 });
    expect((await upload(1)).status).toBe(201);
    expect((await upload(2)).body.code).toBe("tier.limit_reached");

    // Models: only the tier's (here none the catalog has), whatever the organisation allows.
    const models = await owner.agent.get(`/api/orgs/${tenantId}/models`).expect(200);
    expect(models.body.models).toEqual([]);
  });
});

describe("tiers under attack", () => {
  it("gives a tier named like an Object property the basic limits, not none", async () => {
    const res = await call("get", "/tiers/constructor").expect(200);
    expect(res.body.data.limits).toEqual({ members: 10, files: 100, models: [] });
    expect((await call("get", "/tiers/__proto__").expect(200)).body.data.limits.members).toBe(10);
  });
});

describe("activation's answers", () => {
  it("answers a deactivate or activate request once with its result, and a stale one with a failure", async () => {
    const { tenantId } = await activeTenant("Switch Co", "owner@switch.test");
    await call("put", `/tenants/${tenantId}/deactivate`).expect(200);
    const [deactivate] = await bus.messages();
    // Delivered twice: answered once.
    await eventsHandler(bus.sqsEvent([deactivate!]), h.deps);
    await eventsHandler(bus.sqsEvent([deactivate!], 2), h.deps);
    const answers = await bus.messages();
    expect(answers.map((m) => JSON.parse(m.Body!)["detail-type"])).toEqual([DETAIL_TYPES.deactivateSuccess]);
    expect(JSON.parse(answers[0]!.Body!)).toMatchObject({ source: "sbt.application.plane", detail: { tenantId, requestId: JSON.parse(deactivate!.Body!).detail.eventId } });

    // Activated, then deactivated again before the activation's request is handled: it fails with the state.
    await call("put", `/tenants/${tenantId}/activate`).expect(200);
    const [activate] = await bus.messages();
    await call("put", `/tenants/${tenantId}/deactivate`).expect(200);
    await bus.messages();
    await eventsHandler(bus.sqsEvent([activate!]), h.deps);
    const stale = (await bus.messages()).map((m) => JSON.parse(m.Body!));
    expect(stale).toEqual([expect.objectContaining({ "detail-type": DETAIL_TYPES.activateFailure, detail: expect.objectContaining({ reason: "The tenant is suspended, not active." }) })]);
  });
});

describe("user management under attack", () => {
  it("does not let a client with user/user_write disable an operator (the installation would lose the people who run it)", async () => {
    const refused = await call("put", `/users/${operator.userId}/disable`).expect(409);
    expect(refused.body.code).toBe("control_plane.user_is_operator");
    await call("delete", `/users/${operator.userId}/disable`).expect(409);
    expect((await call("get", `/users/${operator.userId}`).expect(200)).body.data.enabled).toBe(true);
    await operator.agent.get("/control-plane/tenants").expect(200);
  });

  it("refuses to delete the last owner of one tenant before taking the person out of any other", async () => {
    // alone@ is one of two owners of First Place (joined first), and the last owner of Owned Alone (joined after).
    const { tenantId: firstId, owner: alone } = await activeTenant("First Place", "alone@first.test");
    await call("post", "/users").send({ email: "co@first.test", userRole: "owner", tenantId: firstId }).expect(201);
    const { tenantId: ownedId, owner: o2 } = await activeTenant("Owned Alone", "o2@owned.test");
    await call("post", "/users").send({ email: "alone@first.test", userRole: "owner", tenantId: ownedId }).expect(201);
    await call("delete", `/users/${o2.userId}`).expect(200);
    const key = (await alone.agent.post(`/api/orgs/${firstId}/api-keys`).set("x-csrf-token", alone.csrf).send({ name: "script", scopes: ["read"] }).expect(201)).body.secret as string;
    await bus.messages();

    expect((await call("delete", `/users/${alone.userId}`).expect(409)).body.code).toBe("control_plane.user_last_owner");
    // Nothing was done: still in both tenants, enabled, the key working, no event sent.
    const user = (await call("get", `/users/${alone.userId}`).expect(200)).body.data;
    expect(user.tenants.map((t: { tenantId: string }) => t.tenantId).sort()).toEqual([firstId, ownedId].sort());
    expect(user.enabled).toBe(true);
    await request(h.app).get("/api/me").set("authorization", `Bearer ${key}`).expect(200);
    expect(await bus.messages()).toEqual([]);
  });

  it("ends a disabled person's session at its next refresh, even one that a sign-in at the moment of the disable left open", async () => {
    const { tenantId } = await activeTenant("Late Session", "owner@late.test");
    const extra = await call("post", "/users").send({ email: "late@late.test", userRole: "member", tenantId }).expect(201);
    const userId = extra.body.data.userId as string;
    await call("put", `/users/${userId}/disable`).expect(200);
    // What a sign-in (or a refresh) that read the account just before the disable and wrote its session just after leaves.
    const session = await startSession(await h.deps.database(), userId);
    await request(h.app).get(`/api/orgs/${tenantId}/members`).set("cookie", `tandem_refresh=${session.refreshToken}`).expect(401);
  });
});
