import type { Connection } from "mongoose";
import { hashOf } from "./hash.js";
import { auditAnchorModel, auditEntryModel, auditHeadModel, GENESIS_HASH, SYSTEM_CHAIN, type AuditEntryDocument } from "./model.js";

export interface BrokenEntry {
  readonly tenantId: string;
  readonly seq: number;
  /** The entry's id; "missing" when the entry itself is gone. */
  readonly id: string;
  readonly reason: string;
}

export interface ChainReport {
  readonly tenantId: string;
  readonly ok: boolean;
  /** Entries checked. */
  readonly checked: number;
  /** The seq retention pruned up to (the chain is checked from the entry after it). */
  readonly anchoredAt?: number;
  /** The newest entry checked. */
  readonly lastSeq: number;
  readonly broken?: BrokenEntry;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly checked: number;
  readonly chains: readonly ChainReport[];
  /** The first broken entry of the first broken chain. */
  readonly firstBroken?: BrokenEntry;
}

interface Walk {
  readonly checked: number;
  readonly lastSeq: number;
  readonly lastHash: string;
  readonly broken?: BrokenEntry;
  readonly anchoredAt?: number;
}

/**
 * Walks one chain in seq order from its anchor (or its start) and stops at the first entry that is
 * wrong: its contents do not give its hash (altered), its prevHash is not the previous entry's
 * hash (an entry before it altered or replaced), or its seq skips (entries deleted).
 */
export async function walkChain(connection: Connection, tenantId: string, upTo?: number): Promise<Walk> {
  const anchor = await auditAnchorModel(connection).findById(tenantId).lean();
  const seq: Record<string, number> = { $gt: anchor?.seq ?? 0 };
  if (upTo !== undefined) seq.$lte = upTo;
  let expectedSeq = (anchor?.seq ?? 0) + 1;
  let expectedPrev = anchor?.hash ?? GENESIS_HASH;
  let checked = 0;
  // A cursor in seq order: the (tenantId, seq) index serves it on MongoDB and DocumentDB.
  const cursor = auditEntryModel(connection).find({ tenantId, seq }).sort({ seq: 1 }).lean<AuditEntryDocument[]>().cursor({ batchSize: 1000 });
  const base = { ...(anchor ? { anchoredAt: anchor.seq } : {}) };
  const stop = (doc: AuditEntryDocument, reason: string): Walk => ({ ...base, checked, lastSeq: expectedSeq - 1, lastHash: expectedPrev, broken: { tenantId, seq: doc.seq, id: String(doc._id), reason } });
  try {
    for await (const raw of cursor) {
      const doc = raw as AuditEntryDocument;
      checked++;
      if (doc.seq !== expectedSeq) {
        const missing = doc.seq - expectedSeq === 1 ? `entry ${expectedSeq} is` : `entries ${expectedSeq} to ${doc.seq - 1} are`;
        return stop(doc, doc.seq > expectedSeq ? `${missing} missing before it (deleted)` : `its seq repeats an earlier one (expected ${expectedSeq})`);
      }
      if (hashOf(doc) !== doc.hash) return stop(doc, "its contents do not match its hash (the entry was altered after it was written)");
      if (doc.prevHash !== expectedPrev) {
        return stop(doc, expectedSeq === (anchor?.seq ?? 0) + 1 && anchor ? "its prevHash does not match the retention anchor's hash" : "its prevHash does not match the previous entry's hash (the previous entry was altered or replaced)");
      }
      expectedSeq++;
      expectedPrev = doc.hash;
    }
  } finally {
    await cursor.close();
  }
  return { ...base, checked, lastSeq: expectedSeq - 1, lastHash: expectedPrev };
}

async function verifyOne(connection: Connection, tenantId: string): Promise<ChainReport> {
  const walk = await walkChain(connection, tenantId);
  if (walk.broken) return { tenantId, ok: false, checked: walk.checked, lastSeq: walk.lastSeq, anchoredAt: walk.anchoredAt, broken: walk.broken };
  // Entries removed from the end leave no gap; the head (written after each append) still remembers them.
  const head = await auditHeadModel(connection).findById(tenantId).lean();
  // (An entry appended while the walk ran is no gap: it exists now.)
  if (head && head.seq > walk.lastSeq && !(await auditEntryModel(connection).exists({ tenantId, seq: walk.lastSeq + 1 }))) {
    const broken = { tenantId, seq: walk.lastSeq + 1, id: "missing", reason: `the chain ends at ${walk.lastSeq} but entry ${head.seq} was written (the newest entries were deleted)` };
    return { tenantId, ok: false, checked: walk.checked, lastSeq: walk.lastSeq, anchoredAt: walk.anchoredAt, broken };
  }
  return { tenantId, ok: true, checked: walk.checked, lastSeq: walk.lastSeq, anchoredAt: walk.anchoredAt };
}

/** Every chain's key: "system" first, then the organisations' ids. */
export async function auditChains(connection: Connection): Promise<string[]> {
  const [entries, anchors, heads] = await Promise.all([
    auditEntryModel(connection).distinct("tenantId"),
    auditAnchorModel(connection).distinct("_id"),
    auditHeadModel(connection).distinct("_id"),
  ]);
  const all = new Set([...entries, ...anchors, ...heads].map(String));
  return [...all].sort((a, b) => (a === SYSTEM_CHAIN ? -1 : b === SYSTEM_CHAIN ? 1 : a.localeCompare(b)));
}

/** Checks one chain, or every chain; names the first broken entry. */
export async function verifyAuditChain(connection: Connection, tenantId?: string): Promise<VerifyResult> {
  const chains = tenantId !== undefined ? [tenantId] : await auditChains(connection);
  const reports: ChainReport[] = [];
  for (const chain of chains) reports.push(await verifyOne(connection, chain));
  const firstBroken = reports.find((r) => r.broken)?.broken;
  return { ok: !firstBroken, checked: reports.reduce((n, r) => n + r.checked, 0), chains: reports, ...(firstBroken ? { firstBroken } : {}) };
}
