import { CreateBucketCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { NotebookWithMessages, ProjectDetailResponse, ProjectsResponse, type NotebookMessage } from "@tandem/client/contract";
import { notebookModel } from "@tandem/core/notebooks";
import { projectModel } from "@tandem/core/projects";
import { withTenant } from "@tandem/core/tenancy";
import { startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { identityHarness, linkToken, type IdentityHarness, type SignedIn } from "./helpers.js";

/**
 * Projects (issue 12, item 5): notebooks grouped with instructions and knowledge files that every
 * notebook in the project gets, members, sharing a notebook with a project; what outsiders and
 * members may not do, hand-over when an owner leaves, and deletion. Over HTTP, replies from the
 * Bedrock stand-in (which records the system prompt it was given).
 */
const BUCKET = "api-projects-files";
let h: IdentityHarness;
let standIn: BedrockStandIn;
let ann: SignedIn;
let bea: SignedIn;
let cal: SignedIn;
let dan: SignedIn;
let orgId: string;

beforeAll(async () => {
  standIn = await startBedrockStandIn({ tokenDelayMs: 1 });
  h = await identityHarness("api-projects-test", { source: { ...inject("awsEnv"), AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url, KNOWLEDGE_FILES_BUCKET: BUCKET, GENERATED_IMAGES_BUCKET: "api-projects-images" } });
  await h.deps.storage.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  ann = await h.member("ann@projects.test", "Ann");
  bea = await h.member("bea@projects.test", "Bea");
  cal = await h.member("cal@projects.test", "Cal");
  dan = await h.member("dan@projects.test", "Dan");
  orgId = (await ann.agent.post("/api/orgs").set("x-csrf-token", ann.csrf).send({ name: "Project Co", slug: "project-co" }).expect(201)).body.organisation.id;
  for (const who of [bea, cal, dan]) {
    const since = h.mail.received.length;
    await ann.agent.post(`/api/orgs/${orgId}/invites`).set("x-csrf-token", ann.csrf).send({ email: who.email, role: "member" }).expect(201);
    const token = linkToken(await h.mail.waitFor(who.email, since), "/invites/accept");
    await who.agent.post("/api/invites/accept").set("x-csrf-token", who.csrf).send({ token }).expect(200);
  }
}, 120_000);
afterAll(async () => {
  await standIn?.close();
  await h?.close();
});

const org = (p: string) => `/api/orgs/${orgId}${p}`;
const send = (who: SignedIn, method: "post" | "put" | "patch" | "delete", p: string) => who.agent[method](org(p)).set("x-csrf-token", who.csrf);
const projectsOf = async (who: SignedIn) => ProjectsResponse.parse((await who.agent.get(org("/projects")).expect(200)).body).projects;
const detail = async (who: SignedIn, id: string) => ProjectDetailResponse.parse((await who.agent.get(org(`/projects/${id}`)).expect(200)).body);

/** Uploads a Markdown file to the project through its presigned POST and waits until it is read. */
async function projectFile(who: SignedIn, projectId: string, name: string, text: string): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  const registered = await send(who, "post", `/projects/${projectId}/files`).send({ name, type: "text/markdown", size: bytes.length }).expect(201);
  const form = new FormData();
  for (const [k, v] of Object.entries(registered.body.upload.fields as Record<string, string>)) form.append(k, v);
  form.append("file", new Blob([bytes], { type: "text/markdown" }));
  expect((await fetch(registered.body.upload.url, { method: "POST", body: form })).status).toBeLessThan(300);
  await send(who, "post", `/projects/${projectId}/files/${registered.body.file.id}/complete`).expect(202);
  await expect
    .poll(async () => ((await who.agent.get(org(`/projects/${projectId}/files`)).expect(200)).body.files as Array<{ id: string; status: string }>).find((f) => f.id === registered.body.file.id)?.status, { timeout: 30_000, interval: 200 })
    .toBe("ready");
  return registered.body.file.id as string;
}

/** Sends a question and returns the finished reply, as the notebook then holds it. */
async function chat(who: SignedIn, notebookId: string, text: string): Promise<NotebookMessage> {
  await send(who, "post", `/notebooks/${notebookId}/messages`).send({ text }).expect(200);
  const messages = NotebookWithMessages.parse((await who.agent.get(org(`/notebooks/${notebookId}`)).expect(200)).body).messages;
  const reply = messages.at(-1)!;
  expect(reply).toMatchObject({ role: "assistant", status: "complete" });
  return reply;
}

describe("projects", () => {
  let atlas: string;
  let beaNotebook: string;

  it("are started by anyone, named uniquely in the organisation, and seen only by their members", async () => {
    const created = await send(ann, "post", "/projects").send({ name: "Atlas", instructions: "Always answer in the voice of the Atlas team." }).expect(201);
    atlas = created.body.project.id;
    expect(created.body.project).toMatchObject({ name: "Atlas", role: "owner", ownerId: ann.userId, ownerName: "Ann", memberCount: 1 });
    // The name is the organisation's, whatever its case; two at once: one wins.
    expect((await send(cal, "post", "/projects").send({ name: "ATLAS" }).expect(409)).body).toMatchObject({ code: "project.name_taken" });
    const both = await Promise.all([send(cal, "post", "/projects").send({ name: "Borealis" }), send(dan, "post", "/projects").send({ name: "borealis" })]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    // Outsiders to the project learn nothing of it.
    expect(await projectsOf(bea)).toEqual([]);
    expect((await bea.agent.get(org(`/projects/${atlas}`)).expect(404)).body).toMatchObject({ code: "project.not_found" });
    await bea.agent.get(org(`/projects/${atlas}/files`)).expect(404);

    const members = (await send(ann, "put", `/projects/${atlas}/members/${bea.userId}`).expect(200)).body.members;
    expect(members.map((m: { name: string; role: string }) => `${m.name}:${m.role}`)).toEqual(["Ann:owner", "Bea:member"]);
    // Again: no change.
    await send(ann, "put", `/projects/${atlas}/members/${bea.userId}`).expect(200);
    expect(await projectsOf(bea)).toEqual([expect.objectContaining({ id: atlas, name: "Atlas", role: "member", memberCount: 2 })]);
    // Only its owner manages it; each refusal says whom to ask.
    expect((await send(bea, "patch", `/projects/${atlas}`).send({ name: "Mine now" }).expect(403)).body).toMatchObject({ code: "project.owner_only" });
    await send(bea, "put", `/projects/${atlas}/members/${cal.userId}`).expect(403);
    await send(bea, "delete", `/projects/${atlas}`).expect(403);
    await send(bea, "post", `/projects/${atlas}/files`).send({ name: "x.md", type: "text/markdown", size: 5 }).expect(403);
    // Someone not in the organisation cannot be added.
    await send(ann, "put", `/projects/${atlas}/members/0123456789abcdef01234567`).expect(404);
  });

  it("give every notebook in them their instructions and their files", async () => {
    await projectFile(ann, atlas, "harbour.md", "# Opening hours\n\nThe Harbour Library opens at nine on Saturdays.");
    // A member reads the project's files; a notebook of theirs goes in the project.
    expect((await bea.agent.get(org(`/projects/${atlas}/files`)).expect(200)).body.files).toEqual([expect.objectContaining({ name: "harbour.md", status: "ready" })]);
    const notebook = (await send(bea, "post", "/notebooks").send({ title: "Bea's research", projectId: atlas }).expect(201)).body.notebook;
    beaNotebook = notebook.id;
    expect(notebook.projectId).toBe(atlas);
    // Someone not in the project cannot put a notebook in it.
    expect((await send(cal, "post", "/notebooks").send({ title: "Sneaking in", projectId: atlas }).expect(404)).body).toMatchObject({ code: "project.not_found" });

    const before = standIn.requests.length;
    const reply = await chat(bea, beaNotebook, "When does the Harbour Library open on Saturdays?");
    expect(reply.citations?.[0]).toMatchObject({ n: 1, fileName: "harbour.md" });
    expect(reply.citations?.[0]?.text).toContain("opens at nine on Saturdays");
    const call = standIn.requests.slice(before).find((r) => r.operation === "converse-stream")!;
    expect(call.system).toContain("Always answer in the voice of the Atlas team.");

    // Taken out of the project, the notebook no longer gets either.
    expect((await send(bea, "patch", `/notebooks/${beaNotebook}`).send({ projectId: null }).expect(200)).body.notebook.projectId).toBeUndefined();
    const mark = standIn.requests.length;
    const plain = await chat(bea, beaNotebook, "When does the Harbour Library open on Saturdays?");
    expect(plain.citations ?? []).toEqual([]);
    expect(standIn.requests.slice(mark).find((r) => r.operation === "converse-stream")?.system ?? "").not.toContain("Atlas team");
    await send(bea, "patch", `/notebooks/${beaNotebook}`).send({ projectId: atlas }).expect(200);
  });

  it("show their members a notebook once it is shared with the project, and never the files' home", async () => {
    // In the project, but Bea's own: Ann does not see it yet.
    expect((await detail(ann, atlas)).notebooks).toEqual([]);
    expect((await detail(bea, atlas)).notebooks).toEqual([expect.objectContaining({ id: beaNotebook, access: "owner", ownerName: "Bea" })]);
    await ann.agent.get(org(`/notebooks/${beaNotebook}`)).expect(404);
    // Shared with the project to read: every member reads it, no one else does.
    await send(bea, "put", `/notebooks/${beaNotebook}/shares`).send({ kind: "project", targetId: atlas, permission: "read" }).expect(200);
    expect((await detail(ann, atlas)).notebooks).toEqual([expect.objectContaining({ id: beaNotebook, access: "read", ownerName: "Bea" })]);
    expect((await ann.agent.get(org(`/notebooks/${beaNotebook}`)).expect(200)).body.notebook.access).toBe("read");
    await send(ann, "post", `/notebooks/${beaNotebook}/messages`).send({ text: "Can I write?" }).expect(403);
    expect((await ann.agent.get(org("/shared-notebooks")).expect(200)).body.notebooks).toEqual([expect.objectContaining({ id: beaNotebook, access: "read" })]);
    await cal.agent.get(org(`/notebooks/${beaNotebook}`)).expect(404);
    // Only someone in the project shares with it.
    const calNotebook = (await send(cal, "post", "/notebooks").send({ title: "Cal's" }).expect(201)).body.notebook.id;
    expect((await send(cal, "put", `/notebooks/${calNotebook}/shares`).send({ kind: "project", targetId: atlas, permission: "read" }).expect(404)).body).toMatchObject({ code: "share.no_project" });
    expect((await bea.agent.get(org(`/notebooks/${beaNotebook}/shares`)).expect(200)).body.shares).toEqual([expect.objectContaining({ kind: "project", name: "Atlas" })]);

    // The files' home is no notebook anyone lists, opens or chats in.
    const connection = await h.deps.database();
    const home = String((await withTenant(orgId, () => projectModel(connection).findOne({ _id: atlas }).lean()))!.homeNotebookId);
    expect(((await ann.agent.get(org("/notebooks")).expect(200)).body.notebooks as Array<{ id: string }>).map((n) => n.id)).not.toContain(home);
    await ann.agent.get(org(`/notebooks/${home}`)).expect(404);
    await send(ann, "post", `/notebooks/${home}/messages`).send({ text: "hello" }).expect(404);
    await send(ann, "put", `/notebooks/${home}/shares`).send({ kind: "member", targetId: cal.userId, permission: "read" }).expect(404);
    await send(ann, "delete", `/notebooks/${home}`).expect(404);
  });

  it("lose a member who leaves the project, and that member loses what it gave", async () => {
    const annNotebook = (await send(ann, "post", "/notebooks").send({ title: "Ann's plan", projectId: atlas }).expect(201)).body.notebook.id;
    await send(ann, "put", `/notebooks/${annNotebook}/shares`).send({ kind: "project", targetId: atlas, permission: "edit" }).expect(200);
    expect((await bea.agent.get(org(`/notebooks/${annNotebook}`)).expect(200)).body.notebook.access).toBe("edit");
    // The owner cannot leave; a member can.
    expect((await send(ann, "delete", `/projects/${atlas}/members/${ann.userId}`).expect(400)).body).toMatchObject({ code: "project.owner_stays" });
    await send(bea, "delete", `/projects/${atlas}/members/${bea.userId}`).expect(204);
    await bea.agent.get(org(`/notebooks/${annNotebook}`)).expect(404);
    await bea.agent.get(org(`/projects/${atlas}`)).expect(404);
    // Her notebook stays hers, out of the project, and no longer shared with it.
    const hers = (await bea.agent.get(org(`/notebooks/${beaNotebook}`)).expect(200)).body.notebook;
    expect(hers).toMatchObject({ access: "owner" });
    expect(hers.projectId).toBeUndefined();
    await ann.agent.get(org(`/notebooks/${beaNotebook}`)).expect(404);
    expect((await bea.agent.get(org(`/notebooks/${beaNotebook}/shares`)).expect(200)).body.shares).toEqual([]);
    // Even a notebook left pointing at the project (a crash half-way) gets nothing from it once its owner is out.
    const connection = await h.deps.database();
    await withTenant(orgId, () => notebookModel(connection).updateOne({ _id: beaNotebook }, { $set: { projectId: atlas } }));
    const mark = standIn.requests.length;
    const reply = await chat(bea, beaNotebook, "When does the Harbour Library open on Saturdays?");
    expect(reply.citations ?? []).toEqual([]);
    expect(standIn.requests.slice(mark).find((r) => r.operation === "converse-stream" && !r.system?.startsWith("Name the conversation"))?.system ?? "").not.toContain("Atlas team");
    await send(ann, "put", `/projects/${atlas}/members/${bea.userId}`).expect(200);
  });

  it("pass to the organisation's most senior member when their owner leaves, files and all", async () => {
    const dans = (await send(dan, "post", "/projects").send({ name: "Dan's project" }).expect(201)).body.project.id;
    await projectFile(dan, dans, "notes.md", "# Notes\n\nThe ferry leaves at ten.");
    await send(dan, "put", `/projects/${dans}/members/${bea.userId}`).expect(200);
    const danNotebook = (await send(dan, "post", "/notebooks").send({ title: "Dan's ferry notes", projectId: dans }).expect(201)).body.notebook.id;
    await send(dan, "put", `/notebooks/${danNotebook}/shares`).send({ kind: "project", targetId: dans, permission: "read" }).expect(200);
    await bea.agent.get(org(`/notebooks/${danNotebook}`)).expect(200);
    await send(dan, "delete", `/members/${dan.userId}`).expect(204);
    // His notebook left the project with him (no longer shared with it).
    await bea.agent.get(org(`/notebooks/${danNotebook}`)).expect(404);
    const now = await detail(ann, dans);
    expect(now.project).toMatchObject({ ownerId: ann.userId, role: "owner" });
    expect(now.members.map((m) => `${m.name}:${m.role}`)).toEqual(["Ann:owner", "Bea:member"]);
    expect((await ann.agent.get(org(`/projects/${dans}/files`)).expect(200)).body.files).toEqual([expect.objectContaining({ name: "notes.md", status: "ready" })]);
    await send(ann, "patch", `/projects/${dans}`).send({ instructions: "Mind the ferry." }).expect(200);
  });

  it("are deleted by their owner with their files; their notebooks stay, out of the project", async () => {
    const connection = await h.deps.database();
    await send(bea, "patch", `/notebooks/${beaNotebook}`).send({ projectId: atlas }).expect(200);
    await send(bea, "put", `/notebooks/${beaNotebook}/shares`).send({ kind: "project", targetId: atlas, permission: "read" }).expect(200);
    await ann.agent.get(org(`/notebooks/${beaNotebook}`)).expect(200);
    const home = String((await withTenant(orgId, () => projectModel(connection).findOne({ _id: atlas }).lean()))!.homeNotebookId);
    const objects = async () => (await h.deps.storage.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `tenants/${orgId}/notebooks/${home}/` }))).KeyCount ?? 0;
    expect(await objects()).toBe(1);
    await send(ann, "delete", `/projects/${atlas}`).expect(204);
    expect(await objects()).toBe(0);
    await ann.agent.get(org(`/projects/${atlas}`)).expect(404);
    expect((await projectsOf(bea)).map((p) => p.id)).not.toContain(atlas);
    const kept = (await bea.agent.get(org(`/notebooks/${beaNotebook}`)).expect(200)).body.notebook;
    expect(kept.projectId).toBeUndefined();
    // Its shares ended with it.
    expect((await bea.agent.get(org(`/notebooks/${beaNotebook}/shares`)).expect(200)).body.shares).toEqual([]);
    await ann.agent.get(org(`/notebooks/${beaNotebook}`)).expect(404);
    // Again: nothing left to delete.
    await send(ann, "delete", `/projects/${atlas}`).expect(404);
  });
});
