import { generatedImageModel } from "@tandem/core/images";
import { messageModel } from "@tandem/core/notebooks";
import { TenantScopeError, withTenant } from "@tandem/core/tenancy";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { appRoutes, identityHarness, type IdentityHarness, type SignedIn } from "./helpers.js";

/**
 * The isolation matrix: a member of organisation A tries every tenant-owned route on
 * organisation B's resources, by B's path and by A's path with B's ids, with cookies and with
 * an API key. Every attempt must be 404 (never 403: ids must not be confirmable), and B's data
 * must be unchanged afterwards.
 */
let h: IdentityHarness;
let alice: SignedIn;
let bob: SignedIn;
const ids = { orgA: "", orgB: "", bobUser: "", inviteB: "", keyB: "", keyA: "", notebookB: "", fileB: "", messageB: "", imageB: "" };

const write = (who: SignedIn, method: "post" | "patch" | "put" | "delete", path: string) => who.agent[method](path).set("x-csrf-token", who.csrf);

beforeAll(async () => {
  h = await identityHarness("api-isolation-test", { source: { ...inject("awsEnv"), KNOWLEDGE_FILES_BUCKET: "isolation-test-knowledge", GENERATED_IMAGES_BUCKET: "isolation-test-images" } });
  alice = await h.member("alice@a.example", "Alice");
  bob = await h.member("bob@b.example", "Bob");
  ids.orgA = (await write(alice, "post", "/api/orgs").send({ name: "Org A", slug: "org-a" }).expect(201)).body.organisation.id;
  ids.orgB = (await write(bob, "post", "/api/orgs").send({ name: "Org B", slug: "org-b" }).expect(201)).body.organisation.id;
  ids.bobUser = bob.userId;
  ids.inviteB = (await write(bob, "post", `/api/orgs/${ids.orgB}/invites`).send({ email: "carol@b.example" }).expect(201)).body.invite.id;
  ids.keyB = (await write(bob, "post", `/api/orgs/${ids.orgB}/api-keys`).send({ name: "bob's script", scopes: ["read", "write"] }).expect(201)).body.apiKey.id;
  const keyA = await write(alice, "post", `/api/orgs/${ids.orgA}/api-keys`).send({ name: "alice's script", scopes: ["read", "write"] }).expect(201);
  ids.keyA = keyA.body.secret;
  ids.notebookB = (await write(bob, "post", `/api/orgs/${ids.orgB}/notebooks`).send({ title: "Bob's plans" }).expect(201)).body.notebook.id;
  ids.fileB = (await write(bob, "post", `/api/orgs/${ids.orgB}/notebooks/${ids.notebookB}/files`).send({ name: "plans.txt", type: "text/plain", size: 10 }).expect(201)).body.file.id;
  // A message and an image of B's (written directly: no model runs in this test).
  const connection = await h.deps.database();
  await withTenant(ids.orgB, async () => {
    ids.messageB = String((await messageModel(connection).create({ notebookId: ids.notebookB, userId: bob.userId, role: "user", content: "Bob's question", status: "complete" }))._id);
    ids.imageB = String((await generatedImageModel(connection).create({ notebookId: ids.notebookB, userId: bob.userId, prompt: "Bob's picture", modelId: "m", key: "b/picture.png", width: 1, height: 1 }))._id);
  });
});
afterAll(() => h.close());
// A group of B's, with Bob in it; a project of B's with a file.
const groupIds = { groupB: "", shareB: "", projectB: "", projectFileB: "" };
beforeAll(async () => {
  groupIds.groupB = (await write(bob, "post", `/api/orgs/${ids.orgB}/groups`).send({ name: "Bob's group" }).expect(201)).body.group.id;
  await write(bob, "put", `/api/orgs/${ids.orgB}/groups/${groupIds.groupB}/members/${ids.bobUser}`).expect(200);
  // B's notebook shared with B's group.
  groupIds.shareB = (await write(bob, "put", `/api/orgs/${ids.orgB}/notebooks/${ids.notebookB}/shares`).send({ kind: "group", targetId: groupIds.groupB, permission: "read" }).expect(200)).body.share.id;
  groupIds.projectB = (await write(bob, "post", `/api/orgs/${ids.orgB}/projects`).send({ name: "Bob's project", instructions: "Answer as Bob." }).expect(201)).body.project.id;
  groupIds.projectFileB = (await write(bob, "post", `/api/orgs/${ids.orgB}/projects/${groupIds.projectB}/files`).send({ name: "bob.txt", type: "text/plain", size: 10 }).expect(201)).body.file.id;
});

type Method = "get" | "post" | "patch" | "put" | "delete";
/** Every tenant-owned route, with a body that would be valid for its own tenant. */
const MATRIX: Array<{ method: Method; route: string; body?: object }> = [
  { method: "get", route: "/api/orgs/:orgId" },
  { method: "patch", route: "/api/orgs/:orgId", body: { name: "Taken over" } },
  { method: "get", route: "/api/orgs/:orgId/deletion" },
  { method: "delete", route: "/api/orgs/:orgId", body: { confirm: "org-b" } },
  { method: "get", route: "/api/orgs/:orgId/members" },
  { method: "patch", route: "/api/orgs/:orgId/members/:userId", body: { role: "member" } },
  { method: "delete", route: "/api/orgs/:orgId/members/:userId" },
  { method: "get", route: "/api/orgs/:orgId/invites" },
  { method: "post", route: "/api/orgs/:orgId/invites", body: { email: "mallory@a.example" } },
  { method: "delete", route: "/api/orgs/:orgId/invites/:inviteId" },
  { method: "get", route: "/api/orgs/:orgId/api-keys" },
  { method: "post", route: "/api/orgs/:orgId/api-keys", body: { name: "sneaky" } },
  { method: "delete", route: "/api/orgs/:orgId/api-keys/:keyId" },
  { method: "get", route: "/api/orgs/:orgId/audit" },
  { method: "get", route: "/api/orgs/:orgId/audit/export" },
  { method: "get", route: "/api/orgs/:orgId/models" },
  { method: "put", route: "/api/orgs/:orgId/model-policy", body: { allowedModelIds: [], guardrail: null } },
  { method: "get", route: "/api/orgs/:orgId/spend" },
  { method: "put", route: "/api/orgs/:orgId/spend-caps", body: { organisation: { dayUsd: 5 } } },
  { method: "get", route: "/api/orgs/:orgId/groups" },
  { method: "post", route: "/api/orgs/:orgId/groups", body: { name: "Planted" } },
  { method: "patch", route: "/api/orgs/:orgId/groups/:groupId", body: { name: "Taken over" } },
  { method: "delete", route: "/api/orgs/:orgId/groups/:groupId" },
  { method: "put", route: "/api/orgs/:orgId/groups/:groupId/members/:userId" },
  { method: "delete", route: "/api/orgs/:orgId/groups/:groupId/members/:userId" },
  { method: "post", route: "/api/orgs/:orgId/live/ticket" },
  { method: "get", route: "/api/orgs/:orgId/notebooks/:notebookId/shares" },
  { method: "put", route: "/api/orgs/:orgId/notebooks/:notebookId/shares", body: { kind: "member", targetId: "0123456789abcdef01234567", permission: "edit" } },
  { method: "delete", route: "/api/orgs/:orgId/notebooks/:notebookId/shares/:shareId" },
  { method: "get", route: "/api/orgs/:orgId/shared-notebooks" },
  { method: "get", route: "/api/orgs/:orgId/projects" },
  { method: "post", route: "/api/orgs/:orgId/projects", body: { name: "Planted" } },
  { method: "get", route: "/api/orgs/:orgId/projects/:projectId" },
  { method: "patch", route: "/api/orgs/:orgId/projects/:projectId", body: { name: "Taken over" } },
  { method: "delete", route: "/api/orgs/:orgId/projects/:projectId" },
  { method: "put", route: "/api/orgs/:orgId/projects/:projectId/members/:userId" },
  { method: "delete", route: "/api/orgs/:orgId/projects/:projectId/members/:userId" },
  { method: "get", route: "/api/orgs/:orgId/projects/:projectId/files" },
  { method: "post", route: "/api/orgs/:orgId/projects/:projectId/files", body: { name: "x.txt", type: "text/plain", size: 10 } },
  { method: "post", route: "/api/orgs/:orgId/projects/:projectId/files/:fileId/complete" },
  { method: "get", route: "/api/orgs/:orgId/projects/:projectId/files/:fileId/content" },
  { method: "delete", route: "/api/orgs/:orgId/projects/:projectId/files/:fileId" },
  { method: "get", route: "/api/orgs/:orgId/billing" },
  { method: "get", route: "/api/orgs/:orgId/usage" },
  { method: "post", route: "/api/orgs/:orgId/billing/checkout", body: { kind: "credits", amountUsd: 50 } },
  { method: "post", route: "/api/orgs/:orgId/billing/portal" },
  { method: "get", route: "/api/orgs/:orgId/notebooks" },
  { method: "post", route: "/api/orgs/:orgId/notebooks", body: { title: "Planted" } },
  { method: "get", route: "/api/orgs/:orgId/notebooks/:notebookId" },
  { method: "patch", route: "/api/orgs/:orgId/notebooks/:notebookId", body: { title: "Taken over" } },
  { method: "delete", route: "/api/orgs/:orgId/notebooks/:notebookId" },
  { method: "get", route: "/api/orgs/:orgId/notebooks/:notebookId/export" },
  { method: "post", route: "/api/orgs/:orgId/notebooks/:notebookId/messages", body: { text: "hello" } },
  { method: "post", route: "/api/orgs/:orgId/notebooks/:notebookId/messages/:messageId/regenerate" },
  { method: "patch", route: "/api/orgs/:orgId/notebooks/:notebookId/messages/:messageId", body: { text: "Taken over" } },
  { method: "delete", route: "/api/orgs/:orgId/notebooks/:notebookId/messages/:messageId" },
  { method: "delete", route: "/api/orgs/:orgId/notebooks/:notebookId/images/:imageId" },
  { method: "get", route: "/api/orgs/:orgId/notebooks/:notebookId/files" },
  { method: "post", route: "/api/orgs/:orgId/notebooks/:notebookId/files", body: { name: "x.txt", type: "text/plain", size: 10 } },
  { method: "post", route: "/api/orgs/:orgId/notebooks/:notebookId/files/:fileId/complete" },
  { method: "get", route: "/api/orgs/:orgId/notebooks/:notebookId/files/:fileId/content" },
  { method: "delete", route: "/api/orgs/:orgId/notebooks/:notebookId/files/:fileId" },
  { method: "get", route: "/api/orgs/:orgId/notebooks/:notebookId/images" },
  { method: "post", route: "/api/orgs/:orgId/notebooks/:notebookId/images", body: { prompt: "a cat" } },
];

function fill(route: string, orgId: string): string {
  return route.replace(":orgId", orgId).replace(":userId", ids.bobUser).replace(":inviteId", ids.inviteB).replace(":keyId", ids.keyB).replace(":notebookId", ids.notebookB).replace(":fileId", ids.fileB).replace(":messageId", ids.messageB).replace(":imageId", ids.imageB);
}

/** Routes with a group of B's as well. */
const fillRoute = (route: string, orgId: string) => fill(route.replace(":groupId", groupIds.groupB).replace(":shareId", groupIds.shareB).replace(/:projectId(.*):fileId/, `${groupIds.projectB}$1${groupIds.projectFileB}`).replace(":projectId", groupIds.projectB), orgId);

describe("tenant isolation", () => {
  it("covers every tenant-owned route of the app", () => {
    expect(MATRIX.map((r) => `${r.method} ${r.route}`).sort()).toEqual(appRoutes(h.app).filter((r) => r.includes(" /api/orgs/:orgId")));
  });

  for (const { method, route, body } of MATRIX) {
    it(`${method.toUpperCase()} ${route}: 404 for a member of another organisation`, async () => {
      // B's resources under B's path, with A's cookies.
      const direct = await (method === "get" ? alice.agent.get(fillRoute(route, ids.orgB)) : write(alice, method, fillRoute(route, ids.orgB)).send(body ?? {}));
      expect(direct.status, `${method} ${fillRoute(route, ids.orgB)}`).toBe(404);
      // B's resources under A's own path (ids from another tenant).
      if (/:(userId|inviteId|keyId|notebookId|groupId|projectId)/.test(route)) {
        const crossed = await (method === "get" ? alice.agent.get(fillRoute(route, ids.orgA)) : write(alice, method, fillRoute(route, ids.orgA)).send(body ?? {}));
        expect(crossed.status, `${method} ${fillRoute(route, ids.orgA)}`).toBe(404);
      }
      // A's API key on B's path.
      const withKey = await request(h.app)[method](fillRoute(route, ids.orgB)).set("authorization", `Bearer ${ids.keyA}`).send(body ?? {});
      expect(withKey.status).toBe(404);
    });
  }

  it("left B's data as it was", async () => {
    const org = await bob.agent.get(`/api/orgs/${ids.orgB}`).expect(200);
    expect(org.body.organisation.name).toBe("Org B");
    const members = await bob.agent.get(`/api/orgs/${ids.orgB}/members`).expect(200);
    expect(members.body.members).toEqual([expect.objectContaining({ email: "bob@b.example", role: "owner" })]);
    const invites = await bob.agent.get(`/api/orgs/${ids.orgB}/invites`).expect(200);
    expect(invites.body.invites.map((i: { id: string }) => i.id)).toEqual([ids.inviteB]);
    const keys = await bob.agent.get(`/api/orgs/${ids.orgB}/api-keys`).expect(200);
    expect(keys.body.apiKeys.map((k: { id: string }) => k.id)).toEqual([ids.keyB]);
    const notebook = await bob.agent.get(`/api/orgs/${ids.orgB}/notebooks/${ids.notebookB}`).expect(200);
    expect(notebook.body).toMatchObject({ notebook: { title: "Bob's plans" }, messages: [{ id: ids.messageB, content: "Bob's question" }] });
    expect(notebook.body.messages).toHaveLength(1);
    const images = await withTenant(ids.orgB, async () => generatedImageModel(await h.deps.database()).countDocuments({ _id: ids.imageB }));
    expect(images).toBe(1);
    expect((await bob.agent.get(`/api/orgs/${ids.orgB}/notebooks`).expect(200)).body.notebooks).toHaveLength(1);
    const files = await bob.agent.get(`/api/orgs/${ids.orgB}/notebooks/${ids.notebookB}/files`).expect(200);
    expect(files.body.files.map((f: { id: string }) => f.id)).toEqual([ids.fileB]);
    const groups = await bob.agent.get(`/api/orgs/${ids.orgB}/groups`).expect(200);
    expect(groups.body.groups).toEqual([expect.objectContaining({ id: groupIds.groupB, name: "Bob's group", memberIds: [ids.bobUser], mine: true })]);
    const shares = await bob.agent.get(`/api/orgs/${ids.orgB}/notebooks/${ids.notebookB}/shares`).expect(200);
    expect(shares.body.shares).toEqual([expect.objectContaining({ id: groupIds.shareB, kind: "group", targetId: groupIds.groupB, name: "Bob's group", permission: "read" })]);
    const project = await bob.agent.get(`/api/orgs/${ids.orgB}/projects/${groupIds.projectB}`).expect(200);
    expect(project.body.project).toMatchObject({ name: "Bob's project", instructions: "Answer as Bob.", role: "owner", memberCount: 1 });
    const projectFiles = await bob.agent.get(`/api/orgs/${ids.orgB}/projects/${groupIds.projectB}/files`).expect(200);
    expect(projectFiles.body.files.map((f: { id: string }) => f.id)).toEqual([groupIds.projectFileB]);
    const aliceOrgs = await alice.agent.get("/api/orgs").expect(200);
    expect(aliceOrgs.body.organisations.map((o: { id: string }) => o.id)).toEqual([ids.orgA]);
  });

  it("refuses an unscoped query on every tenant-owned model at the data layer", async () => {
    const connection = await h.deps.database();
    // The audit log's tenantId is a chain's key (an organisation or "system"), read across chains by operators on purpose.
    const tenantOwned = Object.values(connection.models).filter((m) => m.schema.path("tenantId") && m.modelName !== "AuditEntry");
    expect(tenantOwned.map((m) => m.modelName).sort()).toEqual(expect.arrayContaining(["ApiKey", "Invite", "Membership", "Notebook", "NotebookMessage", "KnowledgeFile"]));
    for (const model of tenantOwned) {
      await expect(model.find({}).exec(), model.modelName).rejects.toBeInstanceOf(TenantScopeError);
      await expect(model.countDocuments({}).exec(), model.modelName).rejects.toBeInstanceOf(TenantScopeError);
      await expect(model.aggregate([{ $match: {} }]).exec(), model.modelName).rejects.toBeInstanceOf(TenantScopeError);
    }
  });
});
