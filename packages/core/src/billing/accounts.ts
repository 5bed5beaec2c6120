import { upsertRacing } from "../database/index.js";
import type { Connection } from "mongoose";
import { runAsSystem } from "../tenancy/index.js";
import { forgetTenant, tenantModel } from "../tenants/index.js";
import { withTenantRecord } from "../tenants/organisations.js";
import { listTiers } from "../tiers/index.js";
import { isStripeNotFound, type Stripe } from "./stripe.js";

/**
 * An organisation's billing account: its Stripe customer, and the plan Stripe says it has. The
 * customer is created at onboarding (the sweeper, for every active organisation without one, with
 * an idempotency key so a retry never makes a second) and deleted at offboarding.
 */
export interface BillingAccount {
  _id: string;
  customerId: string | null;
  subscriptionId: string | null;
  subscriptionStatus: string | null;
  priceId: string | null;
  tier: string | null;
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: Date | null;
  trialEnd: Date | null;
  removedAt: Date | null;
  updatedAt: Date;
}

export const accounts = (c: Connection) => c.collection<BillingAccount>("billing_accounts");

const EMPTY = { customerId: null, subscriptionId: null, subscriptionStatus: null, priceId: null, tier: null, cancelAtPeriodEnd: false, currentPeriodEnd: null, trialEnd: null, removedAt: null };

export async function billingAccount(connection: Connection, tenantId: string): Promise<BillingAccount | null> {
  return accounts(connection).findOne({ _id: tenantId.toLowerCase() });
}

async function writeAccount(connection: Connection, tenantId: string, fields: Partial<BillingAccount>, now: Date): Promise<void> {
  const id = tenantId.toLowerCase();
  const existing = await accounts(connection).findOne({ _id: id });
  const { _id: _ignored, ...kept } = existing ?? { _id: id };
  await upsertRacing(() => accounts(connection).replaceOne({ _id: id }, { ...EMPTY, ...kept, ...fields, updatedAt: now }, { upsert: true }));
}

/** The organisation's Stripe customer, created once (Stripe's idempotency key decides a race). */
export async function ensureCustomer(connection: Connection, stripe: Stripe, tenant: { id: string; name: string }, now: Date = new Date()): Promise<string> {
  const tenantId = tenant.id.toLowerCase();
  return withTenantRecord(connection, `billing:${tenantId}`, async () => {
    const existing = await billingAccount(connection, tenantId);
    if (existing?.customerId && !existing.removedAt) return existing.customerId;
    const customer = await stripe.customers.create({ name: tenant.name.slice(0, 256), metadata: { tenantId } }, { idempotencyKey: `tandem-customer-${tenantId}` });
    await writeAccount(connection, tenantId, { customerId: customer.id, removedAt: null }, now);
    return customer.id;
  });
}

/**
 * The sweeper's part (and right after provisioning): a customer for each active organisation that
 * has none; offboarded organisations' customers deleted in Stripe (their subscriptions end with them).
 */
export async function syncCustomers(connection: Connection, stripe: Stripe, now: Date = new Date(), max = 200): Promise<{ created: number; removed: number; failed: number }> {
  const counts = { created: 0, removed: 0, failed: 0 };
  const tenants = await runAsSystem("billing: organisations and their customers", () => tenantModel(connection).find({ status: { $in: ["active", "offboarded"] } }).select({ name: 1, status: 1 }).lean());
  const known = new Map((await accounts(connection).find({}).toArray()).map((a) => [a._id, a]));
  for (const t of tenants) {
    if (counts.created + counts.removed >= max) break;
    const id = String(t._id).toLowerCase();
    const account = known.get(id);
    try {
      if (t.status === "active" && !account?.customerId) {
        await ensureCustomer(connection, stripe, { id, name: t.name }, now);
        counts.created++;
      } else if (t.status === "offboarded" && account?.customerId && !account.removedAt) {
        await stripe.customers.del(account.customerId).catch((error: unknown) => {
          if (!isStripeNotFound(error)) throw error;
        });
        await writeAccount(connection, id, { removedAt: now, subscriptionId: null, subscriptionStatus: null }, now);
        counts.removed++;
      }
    } catch {
      counts.failed++;
    }
  }
  return counts;
}

const GOVERNING = ["active", "trialing", "past_due"];

/**
 * Sets the organisation's plan from what Stripe says now: the customer's subscriptions are re-read
 * (never taken from the event), and the newest live one governs. So events in any order, or twice,
 * leave the same plan. When its last subscription ends the organisation is on the basic tier.
 */
export async function applySubscriptions(connection: Connection, stripe: Stripe, customerId: string, now: Date = new Date()): Promise<{ tenantId: string; tier: string } | undefined> {
  const account = await accounts(connection).findOne({ customerId });
  if (!account) return undefined;
  const tenantId = account._id;
  const listed = await stripe.subscriptions.list({ customer: customerId, status: "all", limit: 100 });
  const live = listed.data.filter((s) => GOVERNING.includes(s.status)).sort((a, b) => b.created - a.created || b.id.localeCompare(a.id));
  const governing = live[0];
  const item = governing?.items.data[0] as (Stripe.SubscriptionItem & { plan?: { id: string } }) | undefined;
  const priceId = item?.price?.id ?? item?.plan?.id ?? null;
  const tiers = await listTiers(connection);
  const tier = governing ? (tiers.find((t) => priceId && t.limits.stripePriceId === priceId)?.name ?? account.tier ?? "basic") : "basic";
  const periodEnd = (governing as unknown as { current_period_end?: number } | undefined)?.current_period_end ?? (item as unknown as { current_period_end?: number } | undefined)?.current_period_end;
  await writeAccount(
    connection,
    tenantId,
    {
      subscriptionId: governing?.id ?? null,
      subscriptionStatus: governing?.status ?? null,
      priceId,
      tier,
      cancelAtPeriodEnd: Boolean(governing?.cancel_at_period_end),
      currentPeriodEnd: periodEnd ? new Date(periodEnd * 1000) : null,
      trialEnd: governing?.trial_end ? new Date(governing.trial_end * 1000) : null,
    },
    now,
  );
  // A tier an operator gave an organisation that never had a subscription is left alone.
  if (!governing && !account.subscriptionId) return { tenantId, tier: account.tier ?? "basic" };
  await withTenantRecord(connection, tenantId, async () => {
    await runAsSystem("billing: the plan Stripe says", () => tenantModel(connection).updateOne({ _id: tenantId }, { $set: { tier } }));
  });
  forgetTenant(tenantId);
  return { tenantId, tier };
}
