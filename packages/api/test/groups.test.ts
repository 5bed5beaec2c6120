import { addPriceVersion } from "@tandem/core/metering";
import { groupMemberModel, groupModel, groupNameKey } from "@tandem/core/groups";
import { messageModel, usageEventModel } from "@tandem/core/notebooks";
import { recountSpend } from "@tandem/core/spend";
import { runAsSystem, withTenant } from "@tandem/core/tenancy";
import { startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { identityHarness, linkToken, type IdentityHarness, type SignedIn } from "./helpers.js";

/**
 * Groups of an organisation's members (issue 12, item 5; issue 11, item 4): admins manage them,
 * every member sees them; names are unique in any case (a unique index decides two creates at
 * once); at most 200; a member who leaves the organisation leaves its groups. Model policy by
 * group (GET /models and the chat route) and spend caps by group (refused before the model; 20
 * replies at once overspend a group's cap by at most one reply).
 */
let h: IdentityHarness;
let standIn: BedrockStandIn;
let ann: SignedIn; // owner
let bob: SignedIn; // member
let cat: SignedIn; // member
let dan: SignedIn; // owner of another organisation
let orgId: string;
let otherOrgId: string;
const MODEL = "tandem.local-echo-v1";
const NOVA = "us.amazon.nova-lite-v1:0";

const write = (who: SignedIn, method: "post" | "patch" | "put" | "delete", path: string) => who.agent[method](path).set("x-csrf-token", who.csrf);
const groupsPath = (p = "") => `/api/orgs/${orgId}/groups${p}`;

async function invite(who: SignedIn): Promise<void> {
  const since = h.mail.received.length;
  await write(ann, "post", `/api/orgs/${orgId}/invites`).send({ email: who.email, role: "member" }).expect(201);
  const token = linkToken(await h.mail.waitFor(who.email, since), "/invites/accept");
  await write(who, "post", "/api/invites/accept").send({ token }).expect(200);
}

beforeAll(async () => {
  standIn = await startBedrockStandIn({ tokenDelayMs: 5 });
  h = await identityHarness("api-groups-test", { source: { ...inject("awsEnv"), AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url } });
  ann = await h.member("ann@groups.test", "Ann");
  orgId = (await write(ann, "post", "/api/orgs").send({ name: "Guild Co", slug: "guild-co" }).expect(201)).body.organisation.id;
  // The stand-in's model, priced for the caps (it costs nothing by default).
  await addPriceVersion(await h.deps.database(), h.deps.ai.catalog, { prices: { [MODEL]: { input_tokens: 0.003, output_tokens: 0.015 } } });
  bob = await h.member("bob@groups.test", "Bob");
  cat = await h.member("cat@groups.test", "Cat");
  dan = await h.member("dan@groups.test", "Dan");
  otherOrgId = (await write(dan, "post", "/api/orgs").send({ name: "Elsewhere", slug: "elsewhere" }).expect(201)).body.organisation.id;
  await invite(bob);
  await invite(cat);
}, 120_000);
afterAll(async () => {
  await standIn?.close();
  await h?.close();
});

describe("groups", () => {
  it("are created, renamed and deleted by admins, with names unique in any case, and listed for every member with their own marked", async () => {
    await write(bob, "post", groupsPath()).send({ name: "Rebels" }).expect(403);
    const research = await write(ann, "post", groupsPath()).send({ name: "Research" }).expect(201);
    expect(research.body.group).toMatchObject({ name: "Research", memberIds: [], mine: false });
    const id = research.body.group.id as string;
    const taken = await write(ann, "post", groupsPath()).send({ name: " RESEARCH " }).expect(409);
    expect(taken.body.code).toBe("group.name_taken");
    expect(taken.body.detail).toContain('already a group named "RESEARCH"');
    // Input rules: at most 80 characters, one line, nothing invisible.
    await write(ann, "post", groupsPath()).send({ name: "x".repeat(81) }).expect(400);
    await write(ann, "post", groupsPath()).send({ name: "a\u202Eb" }).expect(400);
    await write(ann, "post", groupsPath()).send({ name: "Ops", extra: 1 }).expect(400);

    const ops = (await write(ann, "post", groupsPath()).send({ name: "Ops" }).expect(201)).body.group.id as string;
    await write(bob, "patch", groupsPath(`/${id}`)).send({ name: "R&D" }).expect(403);
    expect((await write(ann, "patch", groupsPath(`/${id}`)).send({ name: "R&D" }).expect(200)).body.group.name).toBe("R&D");
    expect((await write(ann, "patch", groupsPath(`/${ops}`)).send({ name: "r&d" }).expect(409)).body.code).toBe("group.name_taken");
    // Its own name in another case is its own.
    await write(ann, "patch", groupsPath(`/${id}`)).send({ name: "R&d" }).expect(200);

    // Members: only members of the organisation; putting one in twice changes nothing.
    await write(bob, "put", groupsPath(`/${id}/members/${cat.userId}`)).expect(403);
    expect((await write(ann, "put", groupsPath(`/${id}/members/${bob.userId}`)).expect(200)).body.group.memberIds).toEqual([bob.userId]);
    expect((await write(ann, "put", groupsPath(`/${id}/members/${bob.userId}`)).expect(200)).body.group.memberIds).toEqual([bob.userId]);
    expect((await write(ann, "put", groupsPath(`/${id}/members/${dan.userId}`)).expect(404)).body.code).toBe("member.not_found");
    expect((await write(ann, "put", groupsPath(`/${"0".repeat(24)}/members/${bob.userId}`)).expect(404)).body.code).toBe("group.not_found");

    const seenByBob = (await bob.agent.get(groupsPath()).expect(200)).body.groups;
    expect(seenByBob).toEqual([expect.objectContaining({ name: "Ops", mine: false, memberIds: [] }), expect.objectContaining({ id, name: "R&d", mine: true, memberIds: [bob.userId] })]);
    expect((await cat.agent.get(groupsPath()).expect(200)).body.groups.map((g: { mine: boolean }) => g.mine)).toEqual([false, false]);

    await write(bob, "delete", groupsPath(`/${id}/members/${bob.userId}`)).expect(403);
    await write(ann, "delete", groupsPath(`/${id}/members/${bob.userId}`)).expect(204);
    expect((await bob.agent.get(groupsPath()).expect(200)).body.groups.find((g: { id: string }) => g.id === id).mine).toBe(false);

    await write(bob, "delete", groupsPath(`/${ops}`)).expect(403);
    await write(ann, "delete", groupsPath(`/${ops}`)).expect(204);
    await write(ann, "delete", groupsPath(`/${ops}`)).expect(404);
    await write(ann, "patch", groupsPath(`/${ops}`)).send({ name: "Back" }).expect(404);
    expect((await ann.agent.get(groupsPath()).expect(200)).body.groups.map((g: { name: string }) => g.name)).toEqual(["R&d"]);

    // Audited like the other admin actions.
    const audit = await ann.agent.get(`/api/orgs/${orgId}/audit?action=group.`).expect(200);
    const actions = audit.body.entries.map((e: { action: string }) => e.action);
    for (const action of ["group.created", "group.renamed", "group.deleted", "group.member_added", "group.member_removed"]) expect(actions).toContain(action);
    // A refused change is recorded too, with its reason.
    expect(audit.body.entries.some((e: { action: string; outcome: string; details?: { error?: string } }) => e.action === "group.created" && e.outcome === "failure" && e.details?.error === "group.name_taken")).toBe(true);
  });

  it("decide two creates of one name at once by the unique index: one 201, one 409", async () => {
    const results = await Promise.all([write(ann, "post", groupsPath()).send({ name: "Twins" }), write(ann, "post", groupsPath()).send({ name: "TWINS" })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const listed = (await ann.agent.get(groupsPath()).expect(200)).body.groups.filter((g: { name: string }) => g.name.toLowerCase() === "twins");
    expect(listed).toHaveLength(1);
  });

  it("are at most 200 per organisation, even when creates come at once", async () => {
    const database = await h.deps.database();
    await groupModel(database).init();
    // 198 groups written directly, then five creates at once: two fit.
    await withTenant(otherOrgId, () => groupModel(database).insertMany(Array.from({ length: 198 }, (_, i) => ({ name: `Team ${i}`, nameKey: groupNameKey(`Team ${i}`) }))));
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => write(dan, "post", `/api/orgs/${otherOrgId}/groups`).send({ name: `Late ${i}` })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(3);
    expect(refused[0]!.body.code).toBe("group.limit_reached");
    expect((await dan.agent.get(`/api/orgs/${otherOrgId}/groups`).expect(200)).body.groups).toHaveLength(200);
  }, 60_000);

  it("refuse a hostile 10 MB body with the body limit", async () => {
    const res = await write(ann, "post", groupsPath()).set("content-type", "application/json").send(JSON.stringify({ name: "x".repeat(10 * 1024 * 1024) }));
    expect(res.status).toBe(413);
  });

  it("lose a member who leaves the organisation or is removed from it", async () => {
    const id = (await write(ann, "post", groupsPath()).send({ name: "Leavers" }).expect(201)).body.group.id as string;
    const eve = await h.member("eve@groups.test", "Eve");
    await invite(eve);
    await write(ann, "put", groupsPath(`/${id}/members/${eve.userId}`)).expect(200);
    expect((await eve.agent.get(groupsPath()).expect(200)).body.groups.find((g: { id: string }) => g.id === id).mine).toBe(true);
    await write(ann, "delete", `/api/orgs/${orgId}/members/${eve.userId}`).expect(204);
    expect((await ann.agent.get(groupsPath()).expect(200)).body.groups.find((g: { id: string }) => g.id === id).memberIds).toEqual([]);
    const database = await h.deps.database();
    expect(await withTenant(orgId, () => groupMemberModel(database).countDocuments({ userId: eve.userId }))).toBe(0);
    // Gone from the organisation: the groups answer 404 like every other route of it.
    await eve.agent.get(groupsPath()).expect(404);
  });
});

describe("model policy by group", () => {
  let research: string;
  let interns: string;

  it("is set by admins with catalog models and the organisation's groups, and kept when a policy leaves groups out", async () => {
    research = (await write(ann, "post", groupsPath()).send({ name: "Model research" }).expect(201)).body.group.id;
    interns = (await write(ann, "post", groupsPath()).send({ name: "Interns" }).expect(201)).body.group.id;
    await write(ann, "put", groupsPath(`/${research}/members/${bob.userId}`)).expect(200);
    await write(ann, "put", groupsPath(`/${interns}/members/${cat.userId}`)).expect(200);
    const policy = (groups?: object[]) => write(ann, "put", `/api/orgs/${orgId}/model-policy`).send({ allowedModelIds: [MODEL, NOVA], guardrail: null, ...(groups ? { groups } : {}) });
    await write(bob, "put", `/api/orgs/${orgId}/model-policy`).send({ allowedModelIds: [], guardrail: null, groups: [] }).expect(403);
    expect((await policy([{ groupId: research, models: ["made.up-model"] }]).expect(400)).body.code).toBe("model.unknown");
    expect((await policy([{ groupId: "0".repeat(24), models: [MODEL] }]).expect(400)).body.code).toBe("group.not_found");
    await policy([{ groupId: research, models: [] }]).expect(400);
    await policy([
      { groupId: research, models: [MODEL] },
      { groupId: research, models: [NOVA] },
    ]).expect(400);
    const set = await policy([
      { groupId: research, models: [MODEL] },
      { groupId: interns, models: [NOVA] },
    ]).expect(200);
    expect(set.body.groups).toEqual([
      { groupId: research, models: [MODEL] },
      { groupId: interns, models: [NOVA] },
    ]);
    // Without `groups`, the group rules stay.
    expect((await policy().expect(200)).body.groups).toHaveLength(2);
  });

  it("decides what GET /models offers each member: their groups' models, or the organisation's for someone in none", async () => {
    const ids = async (who: SignedIn) => (await who.agent.get(`/api/orgs/${orgId}/models`).expect(200)).body;
    const forBob = await ids(bob);
    expect(forBob.models.map((m: { id: string }) => m.id)).toEqual([MODEL]);
    expect(forBob.defaultModelId).toBe(MODEL);
    // `policy` is the organisation's, with every group's rule.
    expect(forBob.policy.allowedModelIds).toEqual([MODEL, NOVA]);
    expect(forBob.policy.groups).toHaveLength(2);
    expect((await ids(cat)).models.map((m: { id: string }) => m.id)).toEqual([NOVA]);
    // Ann is in no group with a rule: the organisation's list.
    expect((await ids(ann)).models.map((m: { id: string }) => m.id).sort()).toEqual([MODEL, NOVA].sort());
  });

  it("refuses a reply with a model the member's groups may not use (403), and lets the others reply", async () => {
    // Cat's groups allow only Nova Lite; Bob's only the stand-in's model.
    const database = await h.deps.database();
    const notebookOf = (who: SignedIn) => write(who, "post", `/api/orgs/${orgId}/notebooks`).send({ title: "Policy", modelId: MODEL });
    // Creating a notebook on a model one may not use is refused too.
    const refusedNotebook = await notebookOf(cat);
    expect(refusedNotebook.status).toBe(403);
    expect(refusedNotebook.body.code).toBe("model.not_allowed");
    // A notebook Cat made while in no group, then Cat's group rule applies to the chat itself.
    await write(ann, "delete", groupsPath(`/${interns}/members/${cat.userId}`)).expect(204);
    const id = (await notebookOf(cat)).body.notebook.id as string;
    await write(ann, "put", groupsPath(`/${interns}/members/${cat.userId}`)).expect(200);
    const refused = await write(cat, "post", `/api/orgs/${orgId}/notebooks/${id}/messages`).send({ text: "hello" });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("model.not_allowed");
    expect(refused.body.detail).toContain("Local test model");
    expect(refused.body.detail).toContain("Amazon Nova Lite");
    expect(await withTenant(orgId, () => messageModel(database).countDocuments({ notebookId: id }))).toBe(0);
    // Bob's group allows the stand-in's model.
    const bobs = (await notebookOf(bob)).body.notebook.id as string;
    expect((await write(bob, "post", `/api/orgs/${orgId}/notebooks/${bobs}/messages`).send({ text: "hello" })).status).toBe(200);
    // Without the group rules, Cat has the organisation's list again.
    await write(ann, "put", `/api/orgs/${orgId}/model-policy`).send({ allowedModelIds: [], guardrail: null, groups: [] }).expect(200);
    expect((await write(cat, "post", `/api/orgs/${orgId}/notebooks/${id}/messages`).send({ text: "hello" })).status).toBe(200);
  });

  it("loses a deleted group's rule", async () => {
    const gone = (await write(ann, "post", groupsPath()).send({ name: "Short-lived" }).expect(201)).body.group.id as string;
    await write(ann, "put", `/api/orgs/${orgId}/model-policy`).send({ allowedModelIds: [], guardrail: null, groups: [{ groupId: gone, models: [NOVA] }] }).expect(200);
    await write(ann, "delete", groupsPath(`/${gone}`)).expect(204);
    expect((await ann.agent.get(`/api/orgs/${orgId}/models`).expect(200)).body.policy.groups).toEqual([]);
  });
});

describe("spend caps by group", () => {
  const caps = (body: object) => write(ann, "put", `/api/orgs/${orgId}/spend-caps`).send(body);
  const notebook = async (who: SignedIn) => (await write(who, "post", `/api/orgs/${orgId}/notebooks`).send({ title: "Costly", modelId: MODEL }).expect(201)).body.notebook.id as string;
  const reply = (who: SignedIn, notebookId: string) => write(who, "post", `/api/orgs/${orgId}/notebooks/${notebookId}/messages`).send({ text: "stream 5 tokens" });
  let crowd: string;

  it("refuse a group member's reply over the group's cap before the model is called, naming the cap and who can raise it", async () => {
    crowd = (await write(ann, "post", groupsPath()).send({ name: "Crowd" }).expect(201)).body.group.id;
    await write(ann, "put", groupsPath(`/${crowd}/members/${bob.userId}`)).expect(200);
    await write(ann, "put", groupsPath(`/${crowd}/members/${cat.userId}`)).expect(200);
    await write(bob, "put", `/api/orgs/${orgId}/spend-caps`).send({ groups: [{ groupId: crowd, dayUsd: 1 }] }).expect(403);
    expect((await caps({ groups: [{ groupId: "0".repeat(24), dayUsd: 1 }] }).expect(400)).body.code).toBe("group.not_found");
    const set = await caps({ groups: [{ groupId: crowd, dayUsd: 0 }] }).expect(200);
    expect(set.body.caps.groups).toEqual([{ groupId: crowd, dayUsd: 0 }]);
    expect(set.body.spent.groups).toEqual([expect.objectContaining({ groupId: crowd, name: "Crowd", yours: false })]);
    expect((await bob.agent.get(`/api/orgs/${orgId}/spend`).expect(200)).body.spent.groups[0].yours).toBe(true);

    const id = await notebook(bob);
    const refused = await reply(bob, id);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("spend.cap_reached");
    expect(refused.body.detail).toContain(`the group "Crowd"'s daily cap of $0.00`);
    expect(refused.body.detail).toContain("An owner or admin of Guild Co can raise it");
    const database = await h.deps.database();
    expect(await withTenant(orgId, () => messageModel(database).countDocuments({ notebookId: id }))).toBe(0);
    // Ann is not in the group: her reply passes.
    expect((await reply(ann, await notebook(ann))).status).toBe(200);
    // Caps of the organisation set without `groups` leave the group's caps as they are.
    expect((await caps({ organisation: { dayUsd: 1000 } }).expect(200)).body.caps.groups).toEqual([{ groupId: crowd, dayUsd: 0 }]);
    await caps({ groups: [] }).expect(200);
    expect((await reply(bob, id)).status).toBe(200);
  });

  it("let 20 replies of the group's members at once overspend a nearly reached group cap by at most one reply", async () => {
    const database = await h.deps.database();
    const ids = { bob: await notebook(bob), cat: await notebook(cat) };
    await caps({ organisation: {}, groups: [{ groupId: crowd, dayUsd: 1000 }] }).expect(200);
    const groupSpent = async () => (await ann.agent.get(`/api/orgs/${orgId}/spend`).expect(200)).body.spent.groups.find((g: { groupId: string }) => g.groupId === crowd).dayUsd as number;
    const before = await groupSpent();
    expect((await reply(bob, ids.bob)).status).toBe(200);
    const one = (await groupSpent()) - before;
    expect(one).toBeGreaterThan(0);
    // Room for about two and a half more replies of the group.
    const cap = Math.round((before + one * 3.5) * 1e6) / 1e6;
    await caps({ groups: [{ groupId: crowd, dayUsd: cap }] }).expect(200);
    const eventsBefore = await runAsSystem("test", () => usageEventModel(database).countDocuments({ tenantId: orgId, kind: "reply" }));
    const started = new Date();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? reply(bob, ids.bob) : reply(cat, ids.cat))));
    const passed = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 403 && r.body.code === "spend.cap_reached");
    const outcome = JSON.stringify(results.map((r) => [r.status, r.body?.code ?? null]));
    expect(passed + refused.length, outcome).toBe(20);
    expect(passed, outcome).toBeGreaterThanOrEqual(1);
    expect(refused.length, outcome).toBeGreaterThanOrEqual(1);
    expect(refused[0]!.body.detail).toContain(`the group "Crowd"'s daily cap`);
    const spent = await groupSpent();
    // At most one reply over: the dearest of those that passed (a reply costs more as its notebook's history grows).
    const costs = (await runAsSystem("test", () => usageEventModel(database).find({ tenantId: orgId, kind: "reply", at: { $gte: started } }).select({ costUsd: 1 }).lean())).map((u) => u.costUsd as number);
    const dearest = Math.max(one, ...costs);
    expect(spent, `cap ${cap}, replies ${JSON.stringify(costs)}`).toBeLessThanOrEqual(cap + dearest + 1e-6);
    // The counters agree with the usage events: the hourly recount changes nothing.
    await recountSpend(database);
    expect(await groupSpent(), `counted ${spent} before the recount`).toBeCloseTo(spent, 6);
    expect(await runAsSystem("test", () => usageEventModel(database).countDocuments({ tenantId: orgId, kind: "reply" }))).toBe(eventsBefore + passed);
  }, 120_000);

  it("mail the owners and admins when the group passes a threshold of its cap, naming the group", async () => {
    const groupMonth = async () => (await ann.agent.get(`/api/orgs/${orgId}/spend`).expect(200)).body.spent.groups.find((g: { groupId: string }) => g.groupId === crowd).monthUsd as number;
    await caps({ groups: [{ groupId: crowd, monthUsd: 1000 }] }).expect(200);
    const before = await groupMonth();
    expect((await reply(bob, await notebook(bob))).status).toBe(200);
    const spent = await groupMonth();
    const one = spent - before;
    // A monthly cap whose 50 % mark the next reply (a first one, like the last) passes halfway through it.
    await caps({ groups: [{ groupId: crowd, monthUsd: Math.round((2 * spent + one) * 1e6) / 1e6 }] }).expect(200);
    const since = h.mail.received.length;
    expect((await reply(cat, await notebook(cat))).status).toBe(200);
    const alert = await h.mail.waitFor("ann@groups.test", since);
    expect(alert.subject).toBe("Guild Co used 50% of the monthly spend cap of the group Crowd");
    await new Promise((r) => setTimeout(r, 300));
    // Ann owns the organisation; Bob and Cat are members: only she is told.
    expect(h.mail.received.slice(since).filter((m) => /spend cap/.test(m.subject ?? "")).map((m) => JSON.stringify(m.to))).toEqual([expect.stringContaining("ann@groups.test")]);
  });
});
