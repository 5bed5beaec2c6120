import { Types, type Connection } from "mongoose";
import { z } from "zod";
import { shelf } from "../access/cache.js";
import { withLease, upsertRacing } from "../database/index.js";
import { ConflictError, parseInput } from "../errors/index.js";
import { tenantModel } from "../tenants/model.js";

/**
 * Tenant tiers: the tier a tenant is registered with (SBT's `tier`) sets what it may use, and the
 * app enforces it — how many members, how many knowledge files, which models. Operators change a
 * tier's limits through the control plane (PUT /control-plane/tiers/{name}); tiers not stored yet
 * have the defaults below. A null limit is no limit; an empty model list allows every chat model.
 */
export const TierLimits = z
  .object({
    members: z.number().int().min(1, "Allow at least 1 member").max(1_000_000).nullable(),
    files: z.number().int().min(0).max(10_000_000).nullable(),
    models: z.array(z.string().trim().min(1).max(200)).max(200).default([]),
    // The Stripe price a subscription to this tier uses: organisations buy it through Checkout (billing/).
    stripePriceId: z.string().regex(/^(price|plan)_[A-Za-z0-9_]{1,200}$/, "Use a Stripe price id (price_...)").nullable().optional(),
  })
  .strict();
export type TierLimits = z.infer<typeof TierLimits>;

export const TierName = z.string().trim().min(1).max(40).regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "Name tiers with letters, digits, - and _");

export const DEFAULT_TIERS: Readonly<Record<string, TierLimits>> = {
  basic: { members: 10, files: 100, models: [] },
  standard: { members: 100, files: 2_000, models: [] },
  premium: { members: null, files: null, models: [] },
};
/** A tier nobody defined (a typo at registration) gets the basic limits, never unlimited ones. */
const FALLBACK = DEFAULT_TIERS.basic!;

export interface Tier {
  readonly name: string;
  readonly limits: TierLimits;
  /** Whether an operator stored it (else these are the defaults). */
  readonly stored: boolean;
  readonly updatedAt: string | null;
}

const tiersCollection = (connection: Connection) => connection.collection<{ _id: string; limits: TierLimits; updatedAt: Date }>("tiers");

// Read on every chat and upload: kept for the access cache's TTL (a few seconds), forgotten here on change.
const known = shelf<{ tier: Tier }>();

export async function getTier(connection: Connection, name: string): Promise<Tier> {
  const key = name.toLowerCase();
  const entry = await known.remember(key, async () => {
    const doc = await tiersCollection(connection).findOne({ _id: key });
    if (doc) return { tier: { name: key, limits: doc.limits, stored: true, updatedAt: doc.updatedAt.toISOString() } };
    // (Own keys only: a tier named "constructor" is not Object's.)
    return { tier: { name: key, limits: Object.hasOwn(DEFAULT_TIERS, key) ? DEFAULT_TIERS[key]! : FALLBACK, stored: false, updatedAt: null } };
  });
  return entry!.tier;
}

/** The stored tiers and the defaults not overridden. */
export async function listTiers(connection: Connection): Promise<Tier[]> {
  const stored = await tiersCollection(connection).find({}).limit(200).toArray();
  const names = new Set(stored.map((d) => d._id));
  return [
    ...stored.map((d) => ({ name: d._id, limits: d.limits, stored: true, updatedAt: d.updatedAt.toISOString() })),
    ...Object.entries(DEFAULT_TIERS)
      .filter(([name]) => !names.has(name))
      .map(([name, limits]) => ({ name, limits, stored: false, updatedAt: null })),
  ].sort((a, b) => a.name.localeCompare(b.name));
}

export async function putTier(connection: Connection, name: unknown, input: unknown, now: Date = new Date()): Promise<Tier> {
  const tierName = parseInput(TierName, name, "tier name").toLowerCase();
  const limits = parseInput(TierLimits, input && typeof input === "object" && "limits" in input ? (input as { limits: unknown }).limits : input, "tier's limits");
  await upsertRacing(() => tiersCollection(connection).replaceOne({ _id: tierName }, { limits, updatedAt: now }, { upsert: true }));
  known.forget(tierName);
  return getTier(connection, tierName);
}

async function tierOfTenant(connection: Connection, tenantId: string): Promise<Tier> {
  const tenant = await tenantModel(connection).findById(tenantId).select({ tier: 1 }).lean();
  return getTier(connection, tenant?.tier ?? "basic");
}

const raise = (what: string, tier: Tier, limit: number) =>
  new ConflictError(`This organisation's tier (${tier.name}) allows ${limit} ${what}. Ask whoever runs this installation to move it to a larger tier.`, "tier.limit_reached");

/**
 * Runs `add` (which adds one member) if the tenant's tier has room, under the tenant's member lease,
 * so two joins at the last free place cannot both pass.
 */
export async function withinMemberLimit<T>(connection: Connection, tenantId: string, add: () => Promise<T>): Promise<T> {
  const tier = await tierOfTenant(connection, tenantId);
  if (tier.limits.members === null) return add();
  const limit = tier.limits.members;
  return withLease(
    connection,
    // The canonical (lower-case) id, so a join naming the tenant in capitals waits for the same lease.
    `members:${tenantId.toLowerCase()}`,
    async () => {
      const count = await connection.collection("memberships").countDocuments({ tenantId: new Types.ObjectId(tenantId) });
      if (count >= limit) throw raise("members", tier, limit);
      return add();
    },
    { what: "This organisation's members" },
  );
}

/** Refuses a new knowledge file once the tenant holds its tier's number of files. */
export async function assertFileRoom(connection: Connection, tenantId: string): Promise<void> {
  const tier = await tierOfTenant(connection, tenantId);
  if (tier.limits.files === null) return;
  const count = await connection.collection("knowledge_files").countDocuments({ tenantId: new Types.ObjectId(tenantId) });
  if (count >= tier.limits.files) throw raise("knowledge files", tier, tier.limits.files);
}
