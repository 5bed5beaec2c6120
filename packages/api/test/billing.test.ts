import { startStripeMock, type StripeServer } from "@tandem/local";
import Stripe from "stripe";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { identityHarness, linkToken, type IdentityHarness, type SignedIn } from "./helpers.js";

/**
 * Billing through the API (issue 11, item 3): the webhook route verifies Stripe's signature on the
 * raw body and stores each event once; an organisation's admins open Checkout and the portal
 * (stripe-mock validates each request against Stripe's OpenAPI); members cannot; a stage without
 * the STRIPE_* secrets answers that billing is off.
 */
const SECRET = "whsec_api_billing_test";
let stripeMock: StripeServer;
let h: IdentityHarness;
let off: IdentityHarness;
let ann: SignedIn;
let bob: SignedIn;
let orgId: string;
const signer = new Stripe("sk_test_signer");

beforeAll(async () => {
  stripeMock = await startStripeMock();
  h = await identityHarness("api-billing-test", { source: { ...inject("awsEnv"), STRIPE_SECRET_KEY: "sk_test_tandem", STRIPE_PUBLISHABLE_KEY: "pk_test_tandem", STRIPE_WEBHOOK_SECRET: SECRET, STRIPE_API_URL: stripeMock.url } });
  ann = await h.member("ann@billing.test", "Ann");
  orgId = (await ann.agent.post("/api/orgs").set("x-csrf-token", ann.csrf).send({ name: "Paying Co", slug: "paying-co" }).expect(201)).body.organisation.id;
  bob = await h.member("bob@billing.test", "Bob");
  const since = h.mail.received.length;
  await ann.agent.post(`/api/orgs/${orgId}/invites`).set("x-csrf-token", ann.csrf).send({ email: "bob@billing.test", role: "member" }).expect(201);
  const token = linkToken(await h.mail.waitFor("bob@billing.test", since), "/invites/accept");
  await bob.agent.post("/api/invites/accept").set("x-csrf-token", bob.csrf).send({ token }).expect(200);
  off = await identityHarness("api-billing-off-test", { source: { ...inject("awsEnv") } });
}, 180_000);
afterAll(async () => {
  await h?.close();
  await off?.close();
  await stripeMock?.stop();
});

const webhook = (payload: string, header?: string) => {
  const call = request(h.app).post("/billing/stripe/webhook").set("content-type", "application/json");
  return (header ? call.set("stripe-signature", header) : call).send(payload);
};

describe("billing", () => {
  it("takes a signed credits purchase once, and refuses a forged or stale one", async () => {
    const event = { id: "evt_api_credits_1", object: "event", type: "checkout.session.completed", created: Math.floor(Date.now() / 1000), data: { object: { id: "cs_test_api_1", object: "checkout.session", mode: "payment", payment_status: "paid", amount_total: 2500, customer: "cus_x", client_reference_id: orgId, metadata: { tenantId: orgId, kind: "credits" } } } };
    const payload = JSON.stringify(event);
    const header = signer.webhooks.generateTestHeaderString({ payload, secret: SECRET });
    expect((await webhook(payload)).status).toBe(400);
    expect((await webhook(payload, signer.webhooks.generateTestHeaderString({ payload, secret: "whsec_forged" }))).body.code).toBe("billing.bad_signature");
    expect((await webhook(payload, signer.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 900 }))).status).toBe(400);
    expect((await webhook(payload, header).expect(200)).body).toEqual({ received: true, duplicate: false });
    expect((await webhook(payload, header).expect(200)).body).toEqual({ received: true, duplicate: true });
    const summary = await ann.agent.get(`/api/orgs/${orgId}/billing`).expect(200);
    expect(summary.body).toMatchObject({ enabled: true, plan: { tier: "basic" }, credits: { balanceUsd: 25, purchasedUsd: 25, entries: [{ kind: "purchase", amountUsd: 25 }] } });
  });

  it("opens Checkout and the portal for admins only", async () => {
    const checkout = await ann.agent.post(`/api/orgs/${orgId}/billing/checkout`).set("x-csrf-token", ann.csrf).send({ kind: "credits", amountUsd: 100 }).expect(200);
    expect(checkout.body.url).toMatch(/^https:\/\//);
    await ann.agent.post(`/api/orgs/${orgId}/billing/checkout`).set("x-csrf-token", ann.csrf).send({ kind: "credits", amountUsd: 1 }).expect(400);
    expect((await ann.agent.post(`/api/orgs/${orgId}/billing/checkout`).set("x-csrf-token", ann.csrf).send({ kind: "plan", tier: "premium" }).expect(404)).body.code).toBe("billing.plan_not_for_sale");
    expect((await ann.agent.post(`/api/orgs/${orgId}/billing/portal`).set("x-csrf-token", ann.csrf).expect(200)).body.url).toMatch(/^https:\/\//);
    await bob.agent.post(`/api/orgs/${orgId}/billing/portal`).set("x-csrf-token", bob.csrf).expect(403);
    await bob.agent.get(`/api/orgs/${orgId}/billing`).expect(403);
  });

  it("mails the owners when Stripe says a payment failed", async () => {
    // The organisation's customer exists since Checkout above; stripe-mock answers the re-reads.
    const customer = (await (await h.deps.database()).collection<{ _id: string; customerId: string }>("billing_accounts").findOne({ _id: orgId }))!.customerId;
    const event = { id: "evt_api_failed_1", object: "event", type: "invoice.payment_failed", created: Math.floor(Date.now() / 1000), data: { object: { id: "in_1MtHbELkdIwHu7ixl4OzzPMv", object: "invoice", customer, status: "open" } } };
    const payload = JSON.stringify(event);
    const since = h.mail.received.length;
    await webhook(payload, signer.webhooks.generateTestHeaderString({ payload, secret: SECRET })).expect(200);
    const mail = await h.mail.waitFor("ann@billing.test", since);
    expect(mail.subject).toBe("A payment for Paying Co failed");
    // Bob is a member, not an admin: not mailed.
    expect(h.mail.received.slice(since).some((m) => JSON.stringify(m).includes("bob@billing.test"))).toBe(false);
  });

  it("shows admins what the organisation's model calls cost by day, model and member", async () => {
    const database = await h.deps.database();
    const { usageEventModel } = await import("@tandem/core/notebooks");
    const { withTenant } = await import("@tandem/core/tenancy");
    const event = (n: number, userId: string, modelId: string, costUsd: number, daysAgo: number) => ({ idempotencyKey: `org-usage-${n}`, kind: "reply", userId, notebookId: "64b7f0c2a1b2c3d4e5f60718", modelId, inputTokens: 100, outputTokens: 50, costUsd, status: "complete", at: new Date(Date.now() - daysAgo * 86_400_000) });
    await withTenant(orgId, () => usageEventModel(database).insertMany([event(1, ann.userId, "model-a", 0.1, 0), event(2, bob.userId, "model-a", 0.2, 1), event(3, bob.userId, "model-b", 0.3, 1), event(4, ann.userId, "model-b", 5, 40)]));
    const usage = (await ann.agent.get(`/api/orgs/${orgId}/usage?days=7`).expect(200)).body;
    expect(usage.byDay).toHaveLength(7);
    expect(usage.totalUsd).toBeCloseTo(0.6, 10);
    expect(usage.byModel.map((m: { modelId: string; costUsd: number }) => [m.modelId, m.costUsd]).sort()).toEqual([["model-a", 0.3], ["model-b", 0.3]]);
    expect(usage.byMember[0]).toMatchObject({ name: "Bob", costUsd: 0.5, calls: 2 });
    expect(usage.byDay.at(-1)).toMatchObject({ costUsd: 0.1, calls: 1 });
    await ann.agent.get(`/api/orgs/${orgId}/usage?days=400`).expect(400);
    await bob.agent.get(`/api/orgs/${orgId}/usage`).expect(403);
  });

  it("is off, saying how to turn it on, without the STRIPE_* secrets", async () => {
    const carl = await off.member("carl@billing.test", "Carl");
    const id = (await carl.agent.post("/api/orgs").set("x-csrf-token", carl.csrf).send({ name: "Free Co", slug: "free-co" }).expect(201)).body.organisation.id;
    expect((await carl.agent.get(`/api/orgs/${id}/billing`).expect(200)).body).toMatchObject({ enabled: false, plan: { tier: "basic" }, credits: { balanceUsd: 0 } });
    const refused = await carl.agent.post(`/api/orgs/${id}/billing/checkout`).set("x-csrf-token", carl.csrf).send({ kind: "credits", amountUsd: 50 }).expect(404);
    expect(refused.body).toMatchObject({ code: "billing.off", detail: expect.stringContaining("STRIPE_") });
    expect((await request(off.app).post("/billing/stripe/webhook").send("{}").expect(404)).body.code).toBe("billing.off");
  });
});
