import { notebookModel } from "@tandem/core/notebooks";
import { runAsSystem } from "@tandem/core/tenancy";
import { tenantModel } from "@tandem/core/tenants";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { identityHarness, linkToken, type IdentityHarness, type SignedIn } from "./helpers.js";

/**
 * Deleting an organisation (owners) and one's own account: the preview says what goes, a typed
 * confirmation is required, access ends at once, and the data goes in the background.
 */
let h: IdentityHarness;
const write = (who: SignedIn, method: "post" | "delete", path: string) => who.agent[method](path).set("x-csrf-token", who.csrf);

beforeAll(async () => {
  h = await identityHarness("api-deletion-test", { source: { ...inject("awsEnv") } });
}, 120_000);
afterAll(() => h?.close());

async function organisation(owner: SignedIn, name: string, slug: string, members: SignedIn[] = []): Promise<string> {
  const id = (await write(owner, "post", "/api/orgs").send({ name, slug }).expect(201)).body.organisation.id as string;
  for (const m of members) {
    const since = h.mail.received.length;
    await write(owner, "post", `/api/orgs/${id}/invites`).send({ email: m.email, role: "member" }).expect(201);
    await write(m, "post", "/api/invites/accept").send({ token: linkToken(await h.mail.waitFor(m.email, since), "/invites/accept") }).expect(200);
  }
  return id;
}
const statusOf = async (id: string) => (await tenantModel(await h.deps.database()).findById(id).lean())?.status;

describe("deleting an organisation", () => {
  it("is for owners, confirmed by typing the handle; everyone's access ends at once", async () => {
    const ann = await h.member("ann@deletion.test", "Ann");
    const bob = await h.member("bob@deletion.test", "Bob");
    const id = await organisation(ann, "Gone Co", "gone-co", [bob]);
    await write(ann, "post", `/api/orgs/${id}/notebooks`).send({ title: "Plans" }).expect(201);

    await bob.agent.get(`/api/orgs/${id}/deletion`).expect(403);
    await write(bob, "delete", `/api/orgs/${id}`).send({ confirm: "gone-co" }).expect(403);
    const preview = (await ann.agent.get(`/api/orgs/${id}/deletion`).expect(200)).body;
    expect(preview).toMatchObject({ members: 2, notebooks: 1, files: 0, images: 0, accessEnds: "at once" });
    expect(new Date(preview.removedAfter).getTime()).toBeGreaterThan(Date.now());

    // An owner's API key, even with the write scope, cannot delete it.
    const key = (await write(ann, "post", `/api/orgs/${id}/api-keys`).send({ name: "script", scopes: ["read", "write"] }).expect(201)).body.secret as string;
    expect((await request(h.app).delete(`/api/orgs/${id}`).set("authorization", `Bearer ${key}`).send({ confirm: "gone-co" }).expect(403)).body.code).toBe("api_key.not_allowed");
    const wrong = await write(ann, "delete", `/api/orgs/${id}`).send({ confirm: "gone" }).expect(400);
    expect(wrong.body).toMatchObject({ code: "organisation.confirm_mismatch", detail: expect.stringContaining("gone-co") });
    expect(await statusOf(id)).toBe("active");

    expect((await write(ann, "delete", `/api/orgs/${id}`).send({ confirm: "Gone-Co" }).expect(202)).body).toMatchObject({ members: 2, notebooks: 1 });
    expect(await statusOf(id)).toBe("offboarding");
    for (const who of [ann, bob]) {
      await who.agent.get(`/api/orgs/${id}`).expect(404);
      expect((await who.agent.get("/api/orgs").expect(200)).body.organisations.map((o: { id: string }) => o.id)).not.toContain(id);
    }
  });
});

describe("deleting one's account", () => {
  it("takes the organisations only the person is in and their notebooks elsewhere, then signs them out for good", async () => {
    const carol = await h.member("carol@deletion.test", "Carol");
    const dan = await h.member("dan@deletion.test", "Dan");
    const shared = await organisation(dan, "Shared Co", "shared-co", [carol]);
    const solo = await organisation(carol, "Carol Solo", "carol-solo");
    const notebook = (await write(carol, "post", `/api/orgs/${shared}/notebooks`).send({ title: "Carol's" }).expect(201)).body.notebook.id as string;
    await write(dan, "post", `/api/orgs/${shared}/notebooks`).send({ title: "Dan's" }).expect(201);

    expect((await carol.agent.get("/api/me/deletion").expect(200)).body).toEqual({ notebooks: 1, organisationsDeleted: [{ id: solo, name: "Carol Solo" }], blockedBy: [] });
    expect((await write(carol, "delete", "/api/me").send({ confirm: carol.email }).expect(400)).body.code).toBe("account.password_required");
    expect((await write(carol, "delete", "/api/me").send({ confirm: "someone@else.test", password: carol.password }).expect(400)).body.code).toBe("account.confirm_mismatch");
    expect((await write(carol, "delete", "/api/me").send({ confirm: carol.email, password: "not the password" }).expect(400)).body.code).toBe("account.wrong_password");

    const deleted = await write(carol, "delete", "/api/me").send({ confirm: carol.email.toUpperCase(), password: carol.password }).expect(200);
    expect(deleted.body).toMatchObject({ notebooks: 1, organisationsDeleted: [{ id: solo }], notebooksLeftForHousekeeping: 0 });
    expect(String(deleted.headers["set-cookie"])).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    // Gone: no sign-in, no session, no notebook; the organisation only Carol was in is offboarding.
    await request(h.app).post("/api/auth/sign-in").send({ email: carol.email, password: carol.password }).expect(401);
    await carol.agent.get("/api/me").expect(401);
    expect(await statusOf(solo)).toBe("offboarding");
    expect(await statusOf(shared)).toBe("active");
    const database = await h.deps.database();
    expect(await runAsSystem("test", () => notebookModel(database).countDocuments({ _id: notebook }))).toBe(0);
    expect((await dan.agent.get(`/api/orgs/${shared}/notebooks`).expect(200)).body.notebooks.map((n: { title: string }) => n.title)).toEqual(["Dan's"]);
    expect((await dan.agent.get(`/api/orgs/${shared}/members`).expect(200)).body.members.map((m: { email: string }) => m.email)).toEqual([dan.email]);
  });

  it("is refused while the person is the last owner of an organisation with other members, and changes nothing", async () => {
    const erin = await h.member("erin@deletion.test", "Erin");
    const finn = await h.member("finn@deletion.test", "Finn");
    const id = await organisation(erin, "Erin Co", "erin-co", [finn]);
    expect((await erin.agent.get("/api/me/deletion").expect(200)).body.blockedBy).toEqual([{ id, name: "Erin Co" }]);
    const refused = await write(erin, "delete", "/api/me").send({ confirm: erin.email, password: erin.password }).expect(409);
    expect(refused.body).toMatchObject({ code: "account.last_owner", detail: expect.stringContaining("Erin Co") });
    await erin.agent.get("/api/me").expect(200);
    expect(await statusOf(id)).toBe("active");
  });

  it("lets an owner who deleted their organisation (with other members in it) then delete their account", async () => {
    const gail = await h.member("gail@deletion.test", "Gail");
    const hal = await h.member("hal@deletion.test", "Hal");
    const id = await organisation(gail, "Gail Co", "gail-co", [hal]);
    await write(gail, "delete", `/api/orgs/${id}`).send({ confirm: "gail-co" }).expect(202);
    expect((await gail.agent.get("/api/me/deletion").expect(200)).body.blockedBy).toEqual([]);
    await write(gail, "delete", "/api/me").send({ confirm: gail.email, password: gail.password }).expect(200);
    await gail.agent.get("/api/me").expect(401);
  });
});
