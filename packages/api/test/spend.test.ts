import { addPriceVersion } from "@tandem/core/metering";
import { recountSpend } from "@tandem/core/spend";
import { messageModel, usageEventModel } from "@tandem/core/notebooks";
import { runAsSystem, withTenant } from "@tandem/core/tenancy";
import { startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { identityHarness, linkToken, type IdentityHarness, type SignedIn } from "./helpers.js";

/**
 * Spend caps (issue 11, item 4): set by an organisation's admins, per organisation and per
 * member, per day and month; a reply over a cap is refused before the model is called, naming
 * the cap and who can raise it; 20 replies at once against a nearly reached cap overspend it by at
 * most one reply; the hourly recount agrees with the counters.
 */
let h: IdentityHarness;
let standIn: BedrockStandIn;
let ann: SignedIn;
let bob: SignedIn;
let orgId: string;
// The stand-in's model, priced for this test through the price table (it costs nothing by default).
const MODEL = "tandem.local-echo-v1";

beforeAll(async () => {
  standIn = await startBedrockStandIn({ tokenDelayMs: 5 });
  h = await identityHarness("api-spend-test", { source: { ...inject("awsEnv"), AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url } });
  ann = await h.member("ann@spend.test", "Ann");
  orgId = (await ann.agent.post("/api/orgs").set("x-csrf-token", ann.csrf).send({ name: "Thrift Co", slug: "thrift-co" }).expect(201)).body.organisation.id;
  await addPriceVersion(await h.deps.database(), h.deps.ai.catalog, { prices: { [MODEL]: { input_tokens: 0.003, output_tokens: 0.015 } } });
  bob = await h.member("bob@spend.test", "Bob");
  const since = h.mail.received.length;
  await ann.agent.post(`/api/orgs/${orgId}/invites`).set("x-csrf-token", ann.csrf).send({ email: "bob@spend.test", role: "member" }).expect(201);
  const token = linkToken(await h.mail.waitFor("bob@spend.test", since), "/invites/accept");
  await bob.agent.post("/api/invites/accept").set("x-csrf-token", bob.csrf).send({ token }).expect(200);
}, 120_000);
afterAll(async () => {
  await standIn?.close();
  await h?.close();
});

const notebook = async (who: SignedIn) => (await who.agent.post(`/api/orgs/${orgId}/notebooks`).set("x-csrf-token", who.csrf).send({ title: "Costly", modelId: MODEL }).expect(201)).body.notebook.id as string;
const reply = (who: SignedIn, notebookId: string, text = "stream 5 tokens") => who.agent.post(`/api/orgs/${orgId}/notebooks/${notebookId}/messages`).set("x-csrf-token", who.csrf).send({ text });
const caps = (body: object) => ann.agent.put(`/api/orgs/${orgId}/spend-caps`).set("x-csrf-token", ann.csrf).send(body);

describe("spend caps", () => {
  it("are set by admins only and shown to every member with what was spent", async () => {
    await bob.agent.put(`/api/orgs/${orgId}/spend-caps`).set("x-csrf-token", bob.csrf).send({ organisation: { dayUsd: 1 } }).expect(403);
    await caps({ organisation: { dayUsd: -1 } }).expect(400);
    const set = await caps({ organisation: { dayUsd: 50, monthUsd: 500 }, member: { dayUsd: 10 } }).expect(200);
    expect(set.body.caps).toEqual({ organisation: { dayUsd: 50, monthUsd: 500 }, member: { dayUsd: 10 } });
    const seen = await bob.agent.get(`/api/orgs/${orgId}/spend`).expect(200);
    expect(seen.body).toMatchObject({ caps: { organisation: { dayUsd: 50 } }, spent: { organisation: { dayUsd: 0 }, you: { dayUsd: 0 } } });
  });

  it("refuses a reply over a member's cap before the model is called, naming the cap and who can raise it", async () => {
    await caps({ member: { dayUsd: 0 } }).expect(200);
    const id = await notebook(bob);
    const refused = await reply(bob, id);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("spend.cap_reached");
    expect(refused.body.detail).toContain("your daily cap of $0.00");
    expect(refused.body.detail).toContain("An owner or admin of Thrift Co can raise it");
    // Nothing was stored for it: the refusal came before the messages and the model.
    const database = await h.deps.database();
    expect(await withTenant(orgId, () => messageModel(database).countDocuments({ notebookId: id }))).toBe(0);
    await caps({}).expect(200);
    expect((await reply(bob, id)).status).toBe(200);
  });

  it("lets 20 replies at once against a nearly reached cap overspend it by at most one reply", async () => {
    const database = await h.deps.database();
    const id = await notebook(ann);
    await caps({ organisation: { dayUsd: 1000 } }).expect(200);
    // What one reply costs here, measured.
    const before = (await ann.agent.get(`/api/orgs/${orgId}/spend`).expect(200)).body.spent.organisation.dayUsd as number;
    expect((await reply(ann, id)).status).toBe(200);
    const one = (await ann.agent.get(`/api/orgs/${orgId}/spend`).expect(200)).body.spent.organisation.dayUsd - before;
    expect(one).toBeGreaterThan(0);
    // Room for about two and a half more replies.
    const cap = Math.round((before + one * 3.5) * 1e6) / 1e6;
    await caps({ organisation: { dayUsd: cap } }).expect(200);
    const started = new Date();
    const results = await Promise.all(Array.from({ length: 20 }, () => reply(ann, id)));
    const passed = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 403 && r.body.code === "spend.cap_reached").length;
    expect(passed + refused).toBe(20);
    expect(passed).toBeGreaterThanOrEqual(1);
    expect(refused).toBeGreaterThanOrEqual(1);
    const spent = (await ann.agent.get(`/api/orgs/${orgId}/spend`).expect(200)).body.spent.organisation.dayUsd as number;
    // At most one reply over: the dearest of those that passed (a reply costs more as the notebook's history grows).
    const costs = (await runAsSystem("test", () => usageEventModel(database).find({ tenantId: orgId, kind: "reply", at: { $gte: started } }).select({ costUsd: 1 }).lean())).map((u) => u.costUsd as number);
    expect(spent, `cap ${cap}, replies ${JSON.stringify(costs)}`).toBeLessThanOrEqual(cap + Math.max(one, ...costs) + 1e-6);
    // The counters agree with the usage events: the hourly recount changes nothing.
    await recountSpend(database);
    expect((await ann.agent.get(`/api/orgs/${orgId}/spend`).expect(200)).body.spent.organisation.dayUsd).toBeCloseTo(spent, 6);
    const events = await runAsSystem("test", () => usageEventModel(database).countDocuments({ tenantId: orgId, kind: "reply" }));
    // Bob's reply above, the measured one, and those that passed.
    expect(events).toBe(passed + 2);
  }, 120_000);

  it("mails the owners and admins once when the organisation crosses a threshold of a cap (50 % here; 80 and 100 % alike)", async () => {
    const id = await notebook(ann);
    await caps({ organisation: { monthUsd: 1000 } }).expect(200);
    const monthSpent = async () => (await ann.agent.get(`/api/orgs/${orgId}/spend`).expect(200)).body.spent.organisation.monthUsd as number;
    const before = await monthSpent();
    expect((await reply(ann, id)).status).toBe(200);
    const spent = await monthSpent();
    const one = spent - before;
    // A monthly cap whose 50 % mark the next reply passes (halfway through it), and not its 80 %.
    const since = h.mail.received.length;
    await caps({ organisation: { monthUsd: Math.round((2 * spent + one) * 1e6) / 1e6 } }).expect(200);
    expect((await reply(ann, id)).status).toBe(200);
    const alert = await h.mail.waitFor("ann@spend.test", since);
    expect(alert.subject).toBe("Thrift Co used 50% of its monthly spend cap");
    await new Promise((r) => setTimeout(r, 300));
    // Only the owner (Bob is a member), and once.
    expect(h.mail.received.slice(since).filter((m) => /spend cap/.test(m.subject ?? "")).map((m) => JSON.stringify(m.to))).toEqual([expect.stringContaining("ann@spend.test")]);
  });
});
