import { Problem } from "@tandem/client";
import { apiKeyModel } from "@tandem/core/identity";
import { inviteModel } from "@tandem/core/tenants";
import { runAsSystem } from "@tandem/core/tenancy";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityHarness, linkToken, type IdentityHarness, type SignedIn } from "./helpers.js";

let h: IdentityHarness;
let owner: SignedIn;
let orgId: string;

const write = (who: SignedIn, method: "post" | "patch" | "delete", path: string) => who.agent[method](path).set("x-csrf-token", who.csrf);

beforeAll(async () => {
  h = await identityHarness("api-organisations-test");
  owner = await h.member("olivia@example.com", "Olivia");
  const created = await write(owner, "post", "/api/orgs").send({ name: "Acme", slug: "acme" }).expect(201);
  orgId = created.body.organisation.id;
});
afterAll(() => h.close());

/** Invites `email` as `role` and has that person sign up, confirm and accept through the mails. */
async function joinByInvite(email: string, role: "member" | "admin" | "owner" = "member"): Promise<SignedIn> {
  const since = h.mail.received.length;
  const invited = await write(owner, "post", `/api/orgs/${orgId}/invites`).send({ email, role }).expect(201);
  expect(invited.body).toMatchObject({ invite: { email, role }, mailSent: true });
  const inviteMail = await h.mail.waitFor(email, since);
  expect(inviteMail.subject).toBe("Olivia invited you to Acme on Tandem");
  const token = linkToken(inviteMail, "/invites/accept");

  const preview = await request(h.app).post("/api/invites/preview").send({ token }).expect(200);
  expect(preview.body.invite).toMatchObject({ organisation: { name: "Acme" }, email, role, invitedBy: "Olivia" });

  const person = await h.member(email);
  const accepted = await write(person, "post", "/api/invites/accept").send({ token }).expect(200);
  expect(accepted.body.organisation).toMatchObject({ id: orgId, name: "Acme", role });
  return person;
}

describe("organisations", () => {
  it("creates an organisation with its creator as owner and switches to it", async () => {
    const me = await owner.agent.get("/api/me").expect(200);
    expect(me.body.organisations).toEqual([{ id: orgId, slug: "acme", name: "Acme", role: "owner" }]);
    expect(me.body.account.currentOrganisationId).toBe(orgId);
    const taken = await write(owner, "post", "/api/orgs").send({ name: "Acme again", slug: "ACME" }).expect(409);
    expect(taken.body.code).toBe("tenant.slug_taken");
  });

  it("renames for admins and owners only", async () => {
    await write(owner, "patch", `/api/orgs/${orgId}`).send({ name: "Acme Inc" }).expect(200);
    expect((await owner.agent.get(`/api/orgs/${orgId}`).expect(200)).body.organisation.name).toBe("Acme Inc");
    await write(owner, "patch", `/api/orgs/${orgId}`).send({ name: "Acme" }).expect(200);
  });

  it("switches between organisations the user belongs to, and no other", async () => {
    const second = await write(owner, "post", "/api/orgs").send({ name: "Side Project", slug: "side-project" }).expect(201);
    expect((await owner.agent.get("/api/me")).body.account.currentOrganisationId).toBe(second.body.organisation.id);
    await write(owner, "patch", "/api/me").send({ currentOrganisationId: orgId }).expect(200);
    expect((await owner.agent.get("/api/me")).body.account.currentOrganisationId).toBe(orgId);
    const stranger = await h.member("stranger@example.com");
    await write(stranger, "patch", "/api/me").send({ currentOrganisationId: orgId }).expect(404);
  });
});

describe("invitations", () => {
  it("invites by mail; the link joins once, with the invited role", async () => {
    const mia = await joinByInvite("mia@example.com");
    const members = await mia.agent.get(`/api/orgs/${orgId}/members`).expect(200);
    expect(members.body.members.map((m: { email: string; role: string }) => `${m.email}:${m.role}`)).toEqual(["olivia@example.com:owner", "mia@example.com:member"]);
  });

  it("works once, only for the invited address, and not after it expires or is revoked", async () => {
    const since = h.mail.received.length;
    await write(owner, "post", `/api/orgs/${orgId}/invites`).send({ email: "noah@example.com" }).expect(201);
    const token = linkToken(await h.mail.waitFor("noah@example.com", since), "/invites/accept");
    const someoneElse = await h.member("not-noah@example.com");
    const wrong = await write(someoneElse, "post", "/api/invites/accept").send({ token }).expect(403);
    expect(wrong.body.detail).toContain("This invitation is for noah@example.com");

    const noah = await h.member("noah@example.com");
    await write(noah, "post", "/api/invites/accept").send({ token }).expect(200);
    const reused = await write(noah, "post", "/api/invites/accept").send({ token }).expect(401);
    expect(reused.body.code).toBe("invite.link_invalid");

    // Expired: pushed into the past in the database.
    const since2 = h.mail.received.length;
    await write(owner, "post", `/api/orgs/${orgId}/invites`).send({ email: "late@example.com" }).expect(201);
    const lateToken = linkToken(await h.mail.waitFor("late@example.com", since2), "/invites/accept");
    const connection = await h.deps.database();
    await runAsSystem("test: expire an invite", () => inviteModel(connection).updateOne({ email: "late@example.com" }, { $set: { expiresAt: new Date(Date.now() - 1000) } }));
    await request(h.app).post("/api/invites/preview").send({ token: lateToken }).expect(401);

    // Revoked by an admin.
    const since3 = h.mail.received.length;
    const revocable = await write(owner, "post", `/api/orgs/${orgId}/invites`).send({ email: "maybe@example.com" }).expect(201);
    const revokedToken = linkToken(await h.mail.waitFor("maybe@example.com", since3), "/invites/accept");
    const open = await owner.agent.get(`/api/orgs/${orgId}/invites`).expect(200);
    expect(open.body.invites.map((i: { email: string }) => i.email)).toContain("maybe@example.com");
    await write(owner, "delete", `/api/orgs/${orgId}/invites/${revocable.body.invite.id}`).expect(204);
    await request(h.app).post("/api/invites/preview").send({ token: revokedToken }).expect(401);
  });

  it("lets only admins invite, and only owners invite owners", async () => {
    const member = await joinByInvite("member-only@example.com");
    const refused = await write(member, "post", `/api/orgs/${orgId}/invites`).send({ email: "x@example.com" }).expect(403);
    expect(Problem.parse(refused.body).code).toBe("organisation.role_required");
    await member.agent.get(`/api/orgs/${orgId}/invites`).expect(403);

    const admin = await joinByInvite("admin@example.com", "admin");
    await write(admin, "post", `/api/orgs/${orgId}/invites`).send({ email: "y@example.com" }).expect(201);
    await write(admin, "post", `/api/orgs/${orgId}/invites`).send({ email: "z@example.com", role: "owner" }).expect(403);
    await write(owner, "post", `/api/orgs/${orgId}/invites`).send({ email: "mia@example.com" }).expect(409);
  });
});

describe("roles and removal", () => {
  it("keeps at least one owner", async () => {
    const res = await write(owner, "patch", `/api/orgs/${orgId}/members/${owner.userId}`).send({ role: "admin" }).expect(409);
    expect(res.body.code).toBe("organisation.last_owner");
    await write(owner, "delete", `/api/orgs/${orgId}/members/${owner.userId}`).expect(409);
  });

  it("ends a removed member's access at once, API keys included", async () => {
    const leo = await joinByInvite("leo@example.com");
    const key = await write(leo, "post", `/api/orgs/${orgId}/api-keys`).send({ name: "script", scopes: ["read"] }).expect(201);
    await request(h.app).get(`/api/orgs/${orgId}/members`).set("authorization", `Bearer ${key.body.secret}`).expect(200);
    await leo.agent.get(`/api/orgs/${orgId}/members`).expect(200);

    await write(owner, "delete", `/api/orgs/${orgId}/members/${leo.userId}`).expect(204);
    // Same session, same cookies, the very next request:
    await leo.agent.get(`/api/orgs/${orgId}/members`).expect(404);
    await request(h.app).get(`/api/orgs/${orgId}/members`).set("authorization", `Bearer ${key.body.secret}`).expect(401);
    const connection = await h.deps.database();
    const stored = await runAsSystem("test: read the key", () => apiKeyModel(connection).findById(key.body.apiKey.id).lean());
    expect(stored?.revokedAt).toBeInstanceOf(Date);
  });

  it("lets a member leave, and an admin promote a member", async () => {
    const ivy = await joinByInvite("ivy@example.com");
    await write(owner, "patch", `/api/orgs/${orgId}/members/${ivy.userId}`).send({ role: "admin" }).expect(200);
    expect((await ivy.agent.get(`/api/orgs/${orgId}`).expect(200)).body.organisation.role).toBe("admin");
    await write(ivy, "delete", `/api/orgs/${orgId}/members/${ivy.userId}`).expect(204);
    await ivy.agent.get(`/api/orgs/${orgId}`).expect(404);
  });
});
