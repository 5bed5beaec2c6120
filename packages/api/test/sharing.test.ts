import { SharedNotebooksResponse, SharesResponse } from "@tandem/client/contract";
import { startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { identityHarness, linkToken, type IdentityHarness, type SignedIn } from "./helpers.js";

/**
 * Sharing a notebook (issue 12, item 5): with a member or a group, to read or to edit, revocable;
 * what each right allows and refuses, and what ends a share (revocation, leaving the group or the
 * organisation, deleting the group). Over HTTP, replies from the Bedrock stand-in.
 */
let h: IdentityHarness;
let standIn: BedrockStandIn;
let ann: SignedIn;
let bea: SignedIn;
let cal: SignedIn;
let orgId: string;

beforeAll(async () => {
  standIn = await startBedrockStandIn({ tokenDelayMs: 1 });
  h = await identityHarness("api-sharing-test", { source: { ...inject("awsEnv"), AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url, GENERATED_IMAGES_BUCKET: "api-sharing-images", KNOWLEDGE_FILES_BUCKET: "api-sharing-files" } });
  ann = await h.member("ann@share.test", "Ann");
  bea = await h.member("bea@share.test", "Bea");
  cal = await h.member("cal@share.test", "Cal");
  orgId = (await ann.agent.post("/api/orgs").set("x-csrf-token", ann.csrf).send({ name: "Share Co", slug: "share-co" }).expect(201)).body.organisation.id;
  for (const who of [bea, cal]) {
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

const nb = (id: string, p = "") => `/api/orgs/${orgId}/notebooks/${id}${p}`;
const send = (who: SignedIn, method: "post" | "put" | "patch" | "delete", p: string) => who.agent[method](p).set("x-csrf-token", who.csrf);
const sharedWith = async (who: SignedIn) => SharedNotebooksResponse.parse((await who.agent.get(`/api/orgs/${orgId}/shared-notebooks`).expect(200)).body).notebooks;

describe("sharing a notebook", () => {
  it("with a member to read, then to edit, then revoked", async () => {
    const id = (await send(ann, "post", `/api/orgs/${orgId}/notebooks`).send({ title: "Quarterly plan" }).expect(201)).body.notebook.id as string;
    await send(ann, "post", nb(id, "/messages")).send({ text: "First question" }).expect(200);
    // Before: Bea cannot tell it exists.
    await bea.agent.get(nb(id)).expect(404);
    expect(await sharedWith(bea)).toEqual([]);

    const share = (await send(ann, "put", nb(id, "/shares")).send({ kind: "member", targetId: bea.userId, permission: "read" }).expect(200)).body.share;
    expect(share).toMatchObject({ kind: "member", targetId: bea.userId, name: "Bea", permission: "read" });
    expect(await sharedWith(bea)).toEqual([expect.objectContaining({ id, title: "Quarterly plan", access: "read", ownerName: "Ann" })]);
    const read = await bea.agent.get(nb(id)).expect(200);
    expect(read.body.notebook.access).toBe("read");
    expect(read.body.messages.map((m: { content: string }) => m.content)[0]).toBe("First question");
    await bea.agent.get(nb(id, "/files")).expect(200);
    await bea.agent.get(nb(id, "/images")).expect(200);
    await bea.agent.get(nb(id, "/export")).expect(200);
    // Reading is not writing: each refusal says what to ask for.
    const refused = await send(bea, "post", nb(id, "/messages")).send({ text: "Let me in" }).expect(403);
    expect(refused.body).toMatchObject({ code: "notebook.read_only" });
    expect(refused.body.detail).toMatch(/Ask its owner/);
    await send(bea, "post", nb(id, "/files")).send({ name: "x.txt", type: "text/plain", size: 5 }).expect(403);
    expect((await send(bea, "patch", nb(id)).send({ title: "Mine now" }).expect(403)).body.code).toBe("notebook.owner_only");
    await send(bea, "delete", nb(id)).expect(403);
    await bea.agent.get(nb(id, "/shares")).expect(403);
    await send(bea, "put", nb(id, "/shares")).send({ kind: "member", targetId: cal.userId, permission: "edit" }).expect(403);
    // Cal, not shared with: nothing.
    await cal.agent.get(nb(id)).expect(404);

    // Sharing again changes the permission: one share, now to edit.
    await send(ann, "put", nb(id, "/shares")).send({ kind: "member", targetId: bea.userId, permission: "edit" }).expect(200);
    const shares = SharesResponse.parse((await ann.agent.get(nb(id, "/shares")).expect(200)).body).shares;
    expect(shares).toEqual([expect.objectContaining({ id: share.id, permission: "edit" })]);
    await send(bea, "post", nb(id, "/messages")).send({ text: "Bea adds a question" }).expect(200);
    const both = (await ann.agent.get(nb(id)).expect(200)).body.messages.filter((m: { role: string }) => m.role === "user").map((m: { content: string }) => m.content);
    expect(both).toEqual(["First question", "Bea adds a question"]);
    // Still not the owner's rights.
    await send(bea, "delete", nb(id)).expect(403);

    // Revoked: gone for Bea at once; revoking again is no error.
    await send(ann, "delete", nb(id, `/shares/${share.id}`)).expect(204);
    await send(ann, "delete", nb(id, `/shares/${share.id}`)).expect(204);
    await bea.agent.get(nb(id)).expect(404);
    expect(await sharedWith(bea)).toEqual([]);
  });

  it("refuses sharing with oneself, a stranger or an unknown group", async () => {
    const id = (await send(ann, "post", `/api/orgs/${orgId}/notebooks`).send({ title: "Private" }).expect(201)).body.notebook.id as string;
    expect((await send(ann, "put", nb(id, "/shares")).send({ kind: "member", targetId: ann.userId, permission: "read" }).expect(400)).body.code).toBe("share.self");
    const stranger = await h.member("stranger@share.test", "Stranger");
    expect((await send(ann, "put", nb(id, "/shares")).send({ kind: "member", targetId: stranger.userId, permission: "read" }).expect(404)).body.code).toBe("share.no_member");
    expect((await send(ann, "put", nb(id, "/shares")).send({ kind: "group", targetId: "0123456789abcdef01234567", permission: "read" }).expect(404)).body.code).toBe("share.no_group");
    await send(ann, "put", nb(id, "/shares")).send({ kind: "everyone", targetId: bea.userId, permission: "read" }).expect(400);
    await send(ann, "put", nb(id, "/shares")).send({ kind: "member", targetId: bea.userId, permission: "admin" }).expect(400);
  });

  it("with a group: its members read; leaving the group or deleting it ends it; leaving the organisation ends a member's share", async () => {
    const id = (await send(ann, "post", `/api/orgs/${orgId}/notebooks`).send({ title: "Team notes" }).expect(201)).body.notebook.id as string;
    const groupId = (await send(ann, "post", `/api/orgs/${orgId}/groups`).send({ name: "Readers" }).expect(201)).body.group.id as string;
    await send(ann, "put", `/api/orgs/${orgId}/groups/${groupId}/members/${bea.userId}`).expect(200);
    await send(ann, "put", `/api/orgs/${orgId}/groups/${groupId}/members/${cal.userId}`).expect(200);
    await send(ann, "put", nb(id, "/shares")).send({ kind: "group", targetId: groupId, permission: "read" }).expect(200);
    expect((await bea.agent.get(nb(id)).expect(200)).body.notebook.access).toBe("read");
    expect((await sharedWith(cal)).map((n) => n.id)).toContain(id);

    // Bea is also named, to edit: the more of the two counts.
    await send(ann, "put", nb(id, "/shares")).send({ kind: "member", targetId: bea.userId, permission: "edit" }).expect(200);
    expect((await bea.agent.get(nb(id)).expect(200)).body.notebook.access).toBe("edit");

    await send(ann, "delete", `/api/orgs/${orgId}/groups/${groupId}/members/${cal.userId}`).expect(204);
    await cal.agent.get(nb(id)).expect(404);
    await send(ann, "delete", `/api/orgs/${orgId}/groups/${groupId}`).expect(204);
    const left = SharesResponse.parse((await ann.agent.get(nb(id, "/shares")).expect(200)).body).shares;
    expect(left.map((s) => s.kind)).toEqual(["member"]);

    // Bea leaves the organisation: her share goes with her.
    await send(bea, "delete", `/api/orgs/${orgId}/members/${bea.userId}`).expect(204);
    expect(SharesResponse.parse((await ann.agent.get(nb(id, "/shares")).expect(200)).body).shares).toEqual([]);
  });
});
