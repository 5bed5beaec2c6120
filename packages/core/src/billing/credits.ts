import type { Connection } from "mongoose";
import { isDuplicateKeyError } from "../database/index.js";

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

export async function ensureCreditIndexes(connection: Connection): Promise<void> {
  await entries(connection).createIndex({ tenantId: 1 }, { name: "tenant" });
}
