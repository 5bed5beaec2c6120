import type { Connection } from "mongoose";
import { withLease } from "../database/index.js";
import { ConflictError, InvalidInputError } from "../errors/index.js";
import { auditAnchorModel, auditEntryModel } from "./model.js";
import { walkChain, type BrokenEntry } from "./verify.js";

export interface PruneResult {
  /** Entries removed. */
  readonly pruned: number;
  /** Chains that lost entries. */
  readonly chains: number;
  /** Chains left alone because the part to prune did not verify (the evidence is kept). */
  readonly refused: readonly BrokenEntry[];
}

/**
 * Retention: removes entries older than `olderThanDays`, chain by chain. Before it deletes, it
 * checks the part it removes and records an anchor (audit_anchors: the last pruned seq and its
 * hash), so the rest of the chain still verifies from there. The anchor is written first: a crash
 * between the two leaves entries that the next run removes, never a chain that fails to verify.
 * A chain whose old part does not verify is not pruned (that would erase the evidence).
 */
export async function pruneAudit(connection: Connection, olderThanDays: number, now: Date = new Date()): Promise<PruneResult> {
  if (!Number.isFinite(olderThanDays) || olderThanDays < 1) {
    throw new InvalidInputError("Keep audit entries for at least one day: give AUDIT_RETENTION_DAYS as a whole number of days, 1 or more.", [{ name: "olderThanDays", message: "at least 1" }]);
  }
  const cutoff = new Date(now.getTime() - olderThanDays * 86_400_000);
  const entries = auditEntryModel(connection);
  const chains = (await entries.distinct("tenantId", { at: { $lt: cutoff } })).map(String);
  let pruned = 0;
  let touched = 0;
  const refused: BrokenEntry[] = [];
  for (const tenantId of chains) {
    try {
      await withLease(
        connection,
        `audit-prune:${tenantId}`,
        async () => {
          // Entries of a chain are old up to some seq (times of simultaneous appends may interleave by a few ms).
          const last = await entries.findOne({ tenantId, at: { $lt: cutoff } }).sort({ seq: -1 }).select({ seq: 1, hash: 1, at: 1 }).lean();
          if (!last) return;
          const walk = await walkChain(connection, tenantId, last.seq);
          if (walk.broken) {
            refused.push(walk.broken);
            return;
          }
          const anchors = auditAnchorModel(connection);
          const anchor = await anchors.findById(tenantId).lean();
          if (!anchor || anchor.seq < last.seq) {
            await anchors.updateOne({ _id: tenantId }, { $set: { seq: last.seq, hash: last.hash, at: last.at, prunedAt: now } }, { upsert: true });
          }
          const { deletedCount } = await entries.deleteMany({ tenantId, seq: { $lte: last.seq } });
          pruned += deletedCount;
          if (deletedCount > 0) touched++;
        },
        { ttlMs: 10 * 60_000, what: "This audit chain's retention" },
      );
    } catch (error) {
      // Another run is pruning this chain right now; it will finish the job.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return { pruned, chains: touched, refused };
}
