import { startLocalStripe, startStripeMock, type StripeServer } from "@tandem/local";
import Stripe from "stripe";
import type { Connection } from "mongoose";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { addCreditEntry, applySubscriptions, billingAccount, creditBalance, forgetPrepaidBalance, prepaidBalance, spendCredits, ensureCustomer, handleStripeWebhook, listPushes, openPortal, pushUsageToStripe, startCheckout, stripeClient, syncCustomers } from "../src/billing/index.js";
import { closeConnection, getConnection } from "../src/database/index.js";
import { cancelUsage, ingestUsage, ensureBuiltInMeters } from "../src/metering/index.js";
import { tenantModel } from "../src/tenants/index.js";
import { Types } from "mongoose";
import { usageEventModel } from "../src/notebooks/model.js";
import { reserveSpend } from "../src/spend/index.js";
import { withTenant } from "../src/tenancy/index.js";
import { putTier } from "../src/tiers/index.js";

/**
 * Billing against Stripe's local servers: localstripe (stateful: customers, plans, subscriptions,
 * invoices) for the webhook's re-reads, stripe-mock (validates each request against Stripe's
 * OpenAPI) for Checkout, the portal and billing meter events. Webhooks are signed with the real
 * `stripe` library's test header.
 */
const SECRET = "whsec_test_tandem_billing";
let connection: Connection;
let localstripe: StripeServer;
let stripeMock: StripeServer;
const signer = new Stripe("sk_test_signer");

beforeAll(async () => {
  [localstripe, stripeMock] = await Promise.all([startLocalStripe(), startStripeMock()]);
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-billing-test` });
  await connection.dropDatabase();
  await ensureBuiltInMeters(connection);
}, 180_000);
afterAll(async () => {
  await closeConnection();
  await Promise.all([localstripe?.stop(), stripeMock?.stop()]);
});

function signed(event: Record<string, unknown>, at = Math.floor(Date.now() / 1000)) {
  const payload = JSON.stringify(event);
  return { payload, header: signer.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: at }) };
}

let sequence = 0;
const eventOf = (type: string, object: Record<string, unknown>) => ({ id: `evt_${++sequence}_${Math.random().toString(36).slice(2, 10)}`, object: "event", type, created: Math.floor(Date.now() / 1000), api_version: "2024-06-20", livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object } });

// A seeded shuffle, so a failure can be replayed.
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function freshTenant(name: string) {
  const tenant = await tenantModel(connection).create({ slug: `${name.toLowerCase()}-${++sequence}`, name, tier: "basic", status: "active" });
  return { id: String(tenant._id), name };
}

describe("the Stripe webhook (localstripe for the re-reads)", () => {
  let stripe: Stripe;
  beforeAll(async () => {
    stripe = stripeClient({ secretKey: "sk_test_tandem" }, localstripe.url);
    const product = await stripe.products.create({ name: "Tandem" });
    await stripe.plans.create({ id: "price_standard_m", amount: 2000, currency: "usd", interval: "month", product: product.id });
    await stripe.plans.create({ id: "price_premium_m", amount: 9000, currency: "usd", interval: "month", product: product.id });
    await putTier(connection, "standard", { members: 100, files: 2000, models: [], stripePriceId: "price_standard_m" });
    await putTier(connection, "premium", { members: null, files: null, models: [], stripePriceId: "price_premium_m" });
  });

  it("refuses a bad signature and an old timestamp, and acts on a good one once", async () => {
    const event = eventOf("customer.subscription.trial_will_end", { id: "sub_x", object: "subscription", customer: "cus_nobody" });
    const good = signed(event);
    await expect(handleStripeWebhook(connection, stripe, "whsec_other_secret", good.payload, good.header)).rejects.toMatchObject({ code: "billing.bad_signature" });
    await expect(handleStripeWebhook(connection, stripe, SECRET, good.payload.replace("trial_will_end", "trial_will_end "), good.header)).rejects.toMatchObject({ code: "billing.bad_signature" });
    const old = signed(event, Math.floor(Date.now() / 1000) - 3600);
    await expect(handleStripeWebhook(connection, stripe, SECRET, old.payload, old.header)).rejects.toMatchObject({ code: "billing.bad_signature" });
    await expect(handleStripeWebhook(connection, stripe, SECRET, good.payload, undefined)).rejects.toMatchObject({ code: "billing.bad_signature" });
    expect((await handleStripeWebhook(connection, stripe, SECRET, good.payload, good.header)).duplicate).toBe(false);
    expect((await handleStripeWebhook(connection, stripe, SECRET, good.payload, good.header)).duplicate).toBe(true);
  });

  it("leaves the same plan, subscription and credits whether events come once, twice or shuffled", async () => {
    // One organisation's month in Stripe: standard, upgraded to premium, then cancelled and
    // subscribed again; two credit packs; a payment failure later paid.
    const tenant = await freshTenant("Shuffle");
    const customer = await ensureCustomer(connection, stripe, tenant);
    const pm = await stripe.paymentMethods.create({ type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } } as Stripe.PaymentMethodCreateParams);
    await stripe.paymentMethods.attach(pm.id, { customer });
    await stripe.customers.update(customer, { invoice_settings: { default_payment_method: pm.id } });
    const first = await stripe.subscriptions.create({ customer, items: [{ plan: "price_standard_m" }] } as Stripe.SubscriptionCreateParams);
    const upgraded = await stripe.subscriptions.update(first.id, { items: [{ id: first.items.data[0]!.id, plan: "price_premium_m" }] } as Stripe.SubscriptionUpdateParams);
    const cancelled = await stripe.subscriptions.cancel(first.id);
    const second = await stripe.subscriptions.create({ customer, items: [{ plan: "price_premium_m" }] } as Stripe.SubscriptionCreateParams);
    const session = (id: string, cents: number) => ({ id, object: "checkout.session", mode: "payment", payment_status: "paid", status: "complete", amount_total: cents, customer, client_reference_id: tenant.id, metadata: { tenantId: tenant.id, kind: "credits", amountUsd: String(cents / 100) } });
    const story = [
      eventOf("customer.subscription.created", first as unknown as Record<string, unknown>),
      eventOf("customer.subscription.updated", upgraded as unknown as Record<string, unknown>),
      eventOf("customer.subscription.deleted", cancelled as unknown as Record<string, unknown>),
      eventOf("customer.subscription.created", second as unknown as Record<string, unknown>),
      eventOf("checkout.session.completed", session("cs_test_pack_a", 5000)),
      eventOf("checkout.session.completed", session("cs_test_pack_b", 12_000)),
      eventOf("invoice.paid", { id: "in_missing", object: "invoice", customer, status: "paid" }),
    ];
    const deliveries = [...story, ...story];
    const outcomes: string[] = [];
    for (const seed of [0, 7, 42]) {
      // Each run starts the organisation from nothing on our side; Stripe's state stays.
      await connection.collection("billing_events").deleteMany({});
      await connection.collection("credit_entries").deleteMany({ tenantId: tenant.id });
      await connection.collection<{ _id: string }>("billing_accounts").updateOne({ _id: tenant.id }, { $set: { subscriptionId: null, tier: null } });
      await tenantModel(connection).updateOne({ _id: tenant.id }, { $set: { tier: "basic" } });
      const order = seed === 0 ? deliveries : shuffled(deliveries, seed);
      let duplicates = 0;
      for (const event of order) {
        const { payload, header } = signed(event);
        if ((await handleStripeWebhook(connection, stripe, SECRET, payload, header)).duplicate) duplicates++;
      }
      expect(duplicates).toBe(story.length);
      const account = await billingAccount(connection, tenant.id);
      const balance = await creditBalance(connection, tenant.id);
      const tier = (await tenantModel(connection).findById(tenant.id).lean())!.tier;
      outcomes.push(JSON.stringify({ sub: account?.subscriptionId, status: account?.subscriptionStatus, tier, balance: balance.balanceMicros, entries: balance.entries }));
    }
    expect(new Set(outcomes).size).toBe(1);
    expect(JSON.parse(outcomes[0]!)).toEqual({ sub: second.id, status: "active", tier: "premium", balance: 170_000_000, entries: 2 });
  });

  it("puts an organisation back on basic when its last subscription ends", async () => {
    const tenant = await freshTenant("Ending");
    const customer = await ensureCustomer(connection, stripe, tenant);
    const pm = await stripe.paymentMethods.create({ type: "card", card: { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" } } as Stripe.PaymentMethodCreateParams);
    await stripe.paymentMethods.attach(pm.id, { customer });
    await stripe.customers.update(customer, { invoice_settings: { default_payment_method: pm.id } });
    const sub = await stripe.subscriptions.create({ customer, items: [{ plan: "price_standard_m" }] } as Stripe.SubscriptionCreateParams);
    expect((await applySubscriptions(connection, stripe, customer))?.tier).toBe("standard");
    const ended = await stripe.subscriptions.cancel(sub.id);
    // A late "updated" (still active in its payload) after the deletion changes nothing: Stripe is re-read.
    for (const event of [eventOf("customer.subscription.deleted", ended as unknown as Record<string, unknown>), eventOf("customer.subscription.updated", sub as unknown as Record<string, unknown>)]) {
      const { payload, header } = signed(event);
      await handleStripeWebhook(connection, stripe, SECRET, payload, header);
    }
    expect((await tenantModel(connection).findById(tenant.id).lean())!.tier).toBe("basic");
    expect((await billingAccount(connection, tenant.id))?.subscriptionId).toBeNull();
  });

  it("creates a customer per active organisation once and deletes it at offboarding", async () => {
    const tenant = await freshTenant("Lifecycle");
    await Promise.all([syncCustomers(connection, stripe), syncCustomers(connection, stripe)]);
    const customer = (await billingAccount(connection, tenant.id))?.customerId;
    expect(customer).toMatch(/^cus_/);
    expect((await stripe.customers.retrieve(customer!)).deleted).toBeFalsy();
    await tenantModel(connection).updateOne({ _id: tenant.id }, { $set: { status: "offboarded" } });
    await syncCustomers(connection, stripe);
    expect((await billingAccount(connection, tenant.id))?.removedAt).toBeInstanceOf(Date);
    // Gone in Stripe (localstripe answers 404 for a deleted customer; Stripe answers deleted: true).
    await expect(stripe.customers.retrieve(customer!).then((c) => c.deleted === true, (e: { statusCode?: number }) => e.statusCode === 404)).resolves.toBe(true);
    // A second run (or a retry after a crash) is a no-op.
    expect((await syncCustomers(connection, stripe)).removed).toBe(0);
  });
});

describe("Checkout, the portal and meter events (stripe-mock validates each request)", () => {
  let stripe: Stripe;
  beforeAll(() => {
    stripe = stripeClient({ secretKey: "sk_test_tandem" }, stripeMock.url);
  });
  beforeEach(async () => {
    await connection.collection("billing_meter_pushes").deleteMany({});
    await connection.collection("billing_marks").deleteMany({});
  });

  it("opens Checkout for a plan and for credits, and the customer portal", async () => {
    const tenant = await freshTenant("Checkout");
    const context = { tenant, returnUrl: "https://app.example.com/orgs/x/billing" };
    await expect(startCheckout(connection, stripe, context, { kind: "credits", amountUsd: 50 })).resolves.toMatchObject({ url: expect.stringMatching(/^https:\/\//) });
    await expect(startCheckout(connection, stripe, context, { kind: "plan", tier: "standard" })).resolves.toMatchObject({ id: expect.stringMatching(/^cs_/) });
    await expect(startCheckout(connection, stripe, context, { kind: "plan", tier: "basic" })).rejects.toMatchObject({ code: "billing.plan_not_for_sale" });
    await expect(startCheckout(connection, stripe, context, { kind: "credits", amountUsd: 5 })).rejects.toMatchObject({ code: "request.invalid" });
    await expect(openPortal(connection, stripe, context)).resolves.toMatchObject({ url: expect.stringMatching(/^https:\/\//) });
  });

  it("pushes each closed hour's usage once per identifier, and a retry after a crash resends only what was in flight", async () => {
    const tenants = [await freshTenant("MeterA"), await freshTenant("MeterB")];
    for (const t of tenants) await ensureCustomer(connection, stripe, t);
    const base = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000);
    const values: Record<string, number> = {};
    for (let h = 0; h < 3; h++) {
      const at = new Date(base.getTime() + h * 3_600_000 + 60_000);
      for (const [i, t] of tenants.entries()) {
        const events = Array.from({ length: 5 }, (_, k) => ({ tenantId: t.id, meterApiName: "images", meterValue: i + 1, idempotencyKey: `push-${t.id}-${h}-${k}` }));
        await ingestUsage(connection, events, "sbt", undefined, at);
        values[t.id] = (values[t.id] ?? 0) + 5 * (i + 1);
      }
    }
    const sent: string[] = [];
    let crashAfter = 2;
    const options = { stripeMeters: { images: "tandem_images" }, afterSend: (id: string) => {
      sent.push(id);
      if (--crashAfter === 0) throw new Error("crash between Stripe's answer and our record");
    } };
    const now = new Date(base.getTime() + 3 * 3_600_000 + 10 * 60_000);
    await expect(pushUsageToStripe(connection, stripe, options, now)).rejects.toThrow(/crash/);
    crashAfter = -1;
    const second = await pushUsageToStripe(connection, stripe, options, now);
    const recorded = (await listPushes(connection)).filter((p) => tenants.some((t) => t.id === p.tenantId));
    expect(recorded).toHaveLength(6);
    expect(recorded.every((p) => p.sentAt)).toBe(true);
    // Sent: each identifier once, but the one in flight at the crash, which went again under the same identifier.
    const counts = new Map<string, number>();
    for (const id of sent) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([2]);
    expect(counts.size).toBe(6);
    expect(second.sent).toBe(5);
    // The values pushed add up to the usage, per organisation.
    for (const t of tenants) expect(recorded.filter((p) => p.tenantId === t.id).reduce((n, p) => n + p.value, 0)).toBe(values[t.id]);
    // Nothing more to send on the next run.
    expect((await pushUsageToStripe(connection, stripe, options, now)).sent).toBe(0);
  });

  it("withdraws from Stripe what a cancellation took out of an hour already pushed, and pushes the hour's new value once", async () => {
    const tenant = await freshTenant("Corrected");
    await ensureCustomer(connection, stripe, tenant);
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    // Three closed hours: 7, 5 and 4 images; the first is later cancelled in part, the second whole.
    for (const [h, values] of [[0, [3, 4]], [1, [5]], [2, [4]]] as const) {
      await ingestUsage(connection, values.map((v, k) => ({ tenantId: tenant.id, meterApiName: "images", meterValue: v, idempotencyKey: `fix-${tenant.id}-${h}-${k}` })), "sbt", undefined, new Date(hour + h * 3_600_000 + 60_000 * (values.length === 2 ? 1 : 2)));
    }
    // The second of the first hour's events comes 20 minutes in, so a cancellation can take it alone.
    await connection.collection("usage_records").updateOne({ idempotencyKey: `fix-${tenant.id}-0-1` }, { $set: { ingestedAt: new Date(hour + 20 * 60_000) } });
    const calls: string[] = [];
    const log = (request: { method: string; path: string }) => calls.push(`${request.method} ${request.path}`);
    stripe.on("request", log);
    try {
      const options = { stripeMeters: { images: "tandem_images" } };
      const now = new Date(hour + 3 * 3_600_000 + 10 * 60_000);
      await pushUsageToStripe(connection, stripe, options, now);
      const mine = async () => (await listPushes(connection, tenant.id)).sort((a, b) => a._id.localeCompare(b._id));
      expect((await mine()).map((p) => p.value)).toEqual([7, 5, 4]);

      await cancelUsage(connection, { tenantId: tenant.id, meterApiName: "images", ingestedFromSeconds: (hour + 15 * 60_000) / 1000, ingestedToSeconds: (hour + 30 * 60_000) / 1000 });
      await cancelUsage(connection, { tenantId: tenant.id, ingestedFromSeconds: (hour + 3_600_000) / 1000, ingestedToSeconds: (hour + 2 * 3_600_000) / 1000 });
      calls.length = 0;
      const fixed = await pushUsageToStripe(connection, stripe, options, now);
      expect(fixed).toMatchObject({ corrected: 2, overbilled: 0, sent: 1 });
      // Two cancels of what was sent, and one event for the first hour's new value.
      expect(calls.filter((c) => c.includes("meter_event_adjustments"))).toHaveLength(2);
      expect(calls.filter((c) => c.endsWith("/v1/billing/meter_events"))).toHaveLength(1);
      const after = await mine();
      const live = after.filter((p) => !p.withdrawnAt);
      expect(live.map((p) => [p._id.split(":").slice(3).join(":"), p.value])).toEqual([
        [new Date(hour).toISOString().slice(0, 13) + ":r1", 3],
        [new Date(hour + 2 * 3_600_000).toISOString().slice(0, 13), 4],
      ]);
      expect(after.filter((p) => p.withdrawnAt).map((p) => p.supersededBy ?? null)).toEqual([live[0]!._id, null]);
      // Done: the next run sends and cancels nothing.
      calls.length = 0;
      expect(await pushUsageToStripe(connection, stripe, options, now)).toMatchObject({ corrected: 0, sent: 0 });
      expect(calls.filter((c) => c.includes("meter_event"))).toEqual([]);

      // Past Stripe's 24 hours to cancel: recorded as overbilled for an operator, nothing sent.
      await connection.collection("billing_meter_pushes").updateOne({ _id: live[1]!._id as never }, { $set: { sentAt: new Date(now.getTime() - 25 * 3_600_000) } });
      await cancelUsage(connection, { tenantId: tenant.id, ingestedFromSeconds: (hour + 2 * 3_600_000) / 1000, ingestedToSeconds: (hour + 3 * 3_600_000) / 1000 });
      calls.length = 0;
      expect(await pushUsageToStripe(connection, stripe, options, now)).toMatchObject({ corrected: 0, overbilled: 1, sent: 0 });
      expect(calls.filter((c) => c.includes("meter_event"))).toEqual([]);
      expect((await mine()).find((p) => p._id === live[1]!._id)?.overbilledBy).toBe(4);
    } finally {
      stripe.off("request", log);
    }
  });
});

describe("prepaid credits", () => {
  it("are spent by metered usage once per closed hour, and a reply is refused once they are used up", async () => {
    const tenant = await freshTenant("Prepaid");
    // (Ten minutes back: in an hour's first five minutes the hour before is not closed yet.)
    const hour = Math.floor((Date.now() - 10 * 60_000) / 3_600_000) * 3_600_000;
    await addCreditEntry(connection, { _id: `checkout:cs_prepaid_${tenant.id}`, tenantId: tenant.id, micros: 1_000_000, kind: "purchase", ref: "cs_prepaid", at: new Date(hour - 3 * 3_600_000) });
    const usage = (n: number, at: number, costUsd: number) => ({ idempotencyKey: `prepaid-${tenant.id}-${n}`, kind: "reply", userId: new Types.ObjectId(), notebookId: new Types.ObjectId(), modelId: "m", inputTokens: 10, outputTokens: 10, costUsd, status: "complete", at: new Date(at) });
    await withTenant(tenant.id, () => usageEventModel(connection).insertMany([usage(1, hour - 2 * 3_600_000 + 1000, 0.25), usage(2, hour - 2 * 3_600_000 + 2000, 0.35), usage(3, hour - 3_600_000 + 1000, 0.3)]));
    // Not yet debited, but already counted against what is left.
    forgetPrepaidBalance(tenant.id);
    expect(await prepaidBalance(connection, tenant.id)).toBe(100_000);
    const [a, b] = await Promise.all([spendCredits(connection), spendCredits(connection)]);
    expect(a.debited + b.debited).toBe(2);
    expect((await spendCredits(connection)).debited).toBe(0);
    expect(await creditBalance(connection, tenant.id)).toMatchObject({ balanceMicros: 100_000, purchasedUsd: 1, spentUsd: 0.9, entries: 3 });
    await reserveSpend(connection, { tenantId: tenant.id, userId: String(new Types.ObjectId()) }, 0.01);
    // A reply in the current hour uses up the rest.
    await withTenant(tenant.id, () => usageEventModel(connection).create(usage(4, Date.now(), 0.2)));
    forgetPrepaidBalance(tenant.id);
    await expect(reserveSpend(connection, { tenantId: tenant.id, userId: String(new Types.ObjectId()), organisationName: "Prepaid" }, 0.01)).rejects.toMatchObject({ code: "credits.exhausted", message: expect.stringContaining("buy more under Billing") });
    // An organisation without credits is not prepaid.
    expect(await prepaidBalance(connection, (await freshTenant("Postpaid")).id)).toBeNull();
  });

  it("let 20 replies at once overspend nearly used credits by at most one reply", async () => {
    const tenant = await freshTenant("Crowded");
    await addCreditEntry(connection, { _id: `checkout:cs_crowded_${tenant.id}`, tenantId: tenant.id, micros: 1_000_000, kind: "purchase", ref: "cs_crowded", at: new Date() });
    forgetPrepaidBalance(tenant.id);
    const ceiling = 0.3;
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => reserveSpend(connection, { tenantId: tenant.id, userId: String(new Types.ObjectId()) }, ceiling)));
    const passed = results.filter((r) => r.status === "fulfilled" && r.value).length;
    const refused = results.filter((r) => r.status === "rejected" && (r.reason as { code?: string }).code === "credits.exhausted").length;
    expect(passed + refused).toBe(20);
    // $1 left, $0.30 a reply at most: 4 pass (the 4th goes over by less than one reply), the rest are refused.
    expect(passed).toBe(4);
    expect(passed * ceiling - 1).toBeLessThan(ceiling);
  });
});
