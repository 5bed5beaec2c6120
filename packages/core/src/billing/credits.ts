import type { Connection } from "mongoose";
import { shelf } from "../access/cache.js";
import { isDuplicateKeyError, upsertRacing } from "../database/index.js";
import { usageEventModel } from "../notebooks/model.js";
import { runAsSystem } from "../tenancy/index.js";

/**
 * Prepaid credits: a ledger, never a bare counter. Each entry is signed micro-dollars under a
 * unique key (a Checkout session, a usage event), so a webhook or a sweeper that runs twice adds
 * nothing twice, and the balance is the ledger's exact integer sum.
 */
export interface CreditEntry {
  _id: string;
  tenantId: string;
  micros: number;
  kind: "purchase" | "usage" | "grant";
  ref: string;
  at: Date;
}

const entries = (c: Connection) => c.collection<CreditEntry>("credit_entries");

/** Adds an entry once; false when its key was already there. */
export async function addCreditEntry(connection: Connection, entry: Omit<CreditEntry, "tenantId"> & { tenantId: string }): Promise<boolean> {
  if (!Number.isSafeInteger(entry.micros)) throw new Error("A credit entry is a whole number of micro-dollars.");
  indexed ??= ensureCreditIndexes(connection).catch((error: unknown) => {
    indexed = undefined;
    throw error;
  });
  await indexed;
  try {
    await entries(connection).insertOne({ ...entry, tenantId: entry.tenantId.toLowerCase() });
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}

export interface CreditBalance {
  readonly balanceUsd: number;
  readonly balanceMicros: number;
  readonly purchasedUsd: number;
  readonly spentUsd: number;
  readonly entries: number;
}

/** The ledger's sum for an organisation (equality read by tenant, summed here in integers). */
export async function creditBalance(connection: Connection, tenantId: string): Promise<CreditBalance> {
  let balance = 0;
  let purchased = 0;
  let spent = 0;
  let count = 0;
  for await (const e of entries(connection).find({ tenantId: tenantId.toLowerCase() }, { projection: { micros: 1, kind: 1 } })) {
    balance += e.micros;
    if (e.micros > 0) purchased += e.micros;
    else spent -= e.micros;
    count++;
  }
  return { balanceMicros: balance, balanceUsd: balance / 1e6, purchasedUsd: purchased / 1e6, spentUsd: spent / 1e6, entries: count };
}

/** The latest entries, newest first, for the admins' page. */
export async function creditEntries(connection: Connection, tenantId: string, limit = 50): Promise<Array<Omit<CreditEntry, "_id" | "tenantId"> & { key: string }>> {
  const docs = await entries(connection).find({ tenantId: tenantId.toLowerCase() }).toArray();
  return docs
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, limit)
    .map((d) => ({ key: d._id, micros: d.micros, kind: d.kind, ref: d.ref, at: d.at }));
}

let indexed: Promise<void> | undefined;

/** The ledger is read by organisation; accounts are found by their Stripe customer (webhooks). */
export async function ensureCreditIndexes(connection: Connection): Promise<void> {
  await entries(connection).createIndex({ tenantId: 1 }, { name: "tenant" });
  await connection.collection("billing_accounts").createIndex({ customerId: 1 }, { name: "customer" });
}

const HOUR = 3_600_000;
const marks = (c: Connection) => c.collection<{ _id: string; through: Date }>("billing_marks");
const markOf = (tenantId: string) => `credits:${tenantId.toLowerCase()}`;

/** The cost of an organisation's usage events in [from, to), in micro-dollars, by hour. */
async function usageByHour(connection: Connection, tenantId: string, from: Date, to: Date): Promise<Map<number, number>> {
  const hours = new Map<number, number>();
  await runAsSystem("credits: an organisation's usage", async () => {
    for await (const u of usageEventModel(connection).find({ tenantId, at: { $gte: from, $lt: to } }).select({ costUsd: 1, at: 1 }).lean().cursor({ batchSize: 1000 })) {
      const hour = Math.floor(u.at.getTime() / HOUR) * HOUR;
      hours.set(hour, (hours.get(hour) ?? 0) + Math.round(u.costUsd * 1e6));
    }
  });
  return hours;
}

/**
 * Metered usage spends prepaid credits: for each organisation with a ledger, each closed hour's
 * usage since its first entry becomes one debit keyed by organisation and hour (so a rerun or two
 * sweepers add it once). Usage events are written as they happen, so a closed hour's sum is final.
 */
export async function spendCredits(connection: Connection, now: Date = new Date()): Promise<{ debited: number }> {
  const lastClosed = Math.floor((now.getTime() - 5 * 60_000) / HOUR) * HOUR;
  let debited = 0;
  const tenants = (await entries(connection).distinct("tenantId")) as string[];
  for (const tenantId of tenants) {
    const mark = await marks(connection).findOne({ _id: markOf(tenantId) });
    let from = mark?.through.getTime();
    if (from === undefined) {
      const first = (await entries(connection).find({ tenantId }).toArray()).reduce((min, e) => Math.min(min, e.at.getTime()), Number.POSITIVE_INFINITY);
      from = Math.floor(first / HOUR) * HOUR;
    }
    if (!Number.isFinite(from) || from >= lastClosed) continue;
    for (const [hour, micros] of await usageByHour(connection, tenantId, new Date(from), new Date(lastClosed))) {
      if (micros <= 0) continue;
      const at = new Date(hour);
      if (await addCreditEntry(connection, { _id: `usage:${tenantId}:${at.toISOString().slice(0, 13)}`, tenantId, micros: -micros, kind: "usage", ref: at.toISOString().slice(0, 13), at })) debited++;
    }
    await upsertRacing(() => marks(connection).replaceOne({ _id: markOf(tenantId) }, { through: new Date(lastClosed) }, { upsert: true }));
  }
  return { debited };
}

// Read before every reply: kept for the access cache's few seconds.
const prepaid = shelf<{ balanceMicros: number | null }>();

/**
 * What an organisation on prepaid credits has left now: the ledger, less the usage not yet debited
 * (since the sweeper's mark). Null for an organisation without credits (not prepaid).
 */
export async function prepaidBalance(connection: Connection, tenantId: string, options: { fresh?: boolean } = {}): Promise<number | null> {
  const id = tenantId.toLowerCase();
  const read = async () => {
    const balance = await creditBalance(connection, id);
    if (!balance.entries) return { balanceMicros: null };
    const mark = await marks(connection).findOne({ _id: markOf(id) });
    const since = mark?.through ?? new Date(0);
    const pending = [...(await usageByHour(connection, id, since, new Date(Date.now() + HOUR))).values()].reduce((n, v) => n + v, 0);
    return { balanceMicros: balance.balanceMicros - pending };
  };
  if (options.fresh) {
    const entry = await read();
    prepaid.forget(id);
    return entry.balanceMicros;
  }
  const entry = await prepaid.remember(id, read);
  return entry!.balanceMicros;
}

export const forgetPrepaidBalance = (tenantId: string) => prepaid.forget(tenantId.toLowerCase());
