import type { S3Client } from "@aws-sdk/client-s3";
import type { Connection, Model } from "mongoose";
import { completeStrandedRegistrations, offboardDueTenants, purgeIdempotencyKeys, sweepOutboxes, type EventPublisher } from "../control-plane/index.js";
import { pruneAudit } from "../audit/index.js";
import { claimModel, purgeExpired } from "../database/index.js";
import { meterPendingUsage } from "../metering/tandem.js";
import { recountSpend, releaseStaleReservations } from "../spend/index.js";
import { completePendingDeletions } from "../deletion/index.js";
import { pruneLiveConnections, pruneLiveEvents, pruneLiveTicketClaims } from "../live/index.js";
import { apiKeyModel, loginFailureModel, oneTimeTokenModel, refreshTokenModel } from "../identity/index.js";
import { expireStaleFiles } from "../knowledge/files.js";
import { backfillMessageWeeks } from "../notebooks/model.js";
import { runAsSystem } from "../tenancy/index.js";
import { inviteModel } from "../tenants/index.js";

/**
 * Removes what has expired: mailed links, refresh tokens, login failures, invitations and
 * expired API keys, and the claim records of claimOnce() once nothing they guard can be used.
 * Ends knowledge files that will never finish: uploads never completed (failed, their object
 * deleted from `storage` when given) and processing cut off by a crash (failed, retryable).
 * FerretDB has no TTL indexes, so this job is what keeps these collections small on every
 * engine; reads never depend on it (they filter on expiresAt themselves). Also gives messages
 * stored before the `week` field existed their week (backfillMessageWeeks), so search finds them,
 * and publishes the control plane's events left in tenants' outboxes (sweepOutboxes). With
 * `auditRetentionDays` (AUDIT_RETENTION_DAYS), removes older audit entries behind an anchor (pruneAudit).
 */
// Longer than any link, refresh token or invitation lives, so a claim outlives what it guards.
export const CLAIM_RETENTION_MS = 45 * 24 * 60 * 60 * 1000;
const CLAIM_COLLECTIONS = ["one_time_token_uses", "refresh_token_rotations", "invite_uses", "mailed_link_slots"];

export async function purgeExpiredData(connection: Connection, now: Date = new Date(), options: { storage?: { s3: S3Client; bucket: string }; events?: EventPublisher; tenantFiles?: { s3: S3Client; buckets: readonly string[] }; auditRetentionDays?: number } = {}): Promise<Record<string, number>> {
  return runAsSystem("housekeeping: purge expired documents in every tenant", async () => {
    const removed: Record<string, number> = {};
    const models: Array<Model<never>> = [oneTimeTokenModel(connection), refreshTokenModel(connection), loginFailureModel(connection), inviteModel(connection), apiKeyModel(connection)] as never;
    for (const model of models) removed[model.collection.collectionName] = await purgeExpired(model, now);
    const before = new Date(now.getTime() - CLAIM_RETENTION_MS);
    for (const collection of CLAIM_COLLECTIONS) {
      removed[collection] = (await claimModel(connection, collection).deleteMany({ at: { $lt: before } })).deletedCount;
    }
    // Live updates: the log past its retention, used tickets, connections older than API Gateway keeps one (2 h).
    removed.live_events = await pruneLiveEvents(connection, now);
    removed.live_ticket_claims = await pruneLiveTicketClaims(connection, now);
    removed.live_connections = await pruneLiveConnections(connection, now);
    const stale = await expireStaleFiles(connection, options.storage, {}, now);
    removed.knowledge_uploads_expired = stale.uploads;
    removed.knowledge_processing_interrupted = stale.processing;
    // Messages stored before search read them by week: given their week, so search finds them.
    removed.notebook_messages_weeks_backfilled = await backfillMessageWeeks(connection, now);
    // Lifecycle events a crash or a bus outage left in tenants' outboxes.
    removed.tenant_registrations_completed = await completeStrandedRegistrations(connection, options.events, now);
    removed.control_plane_idempotency_keys = await purgeIdempotencyKeys(connection, now);
    // Model calls a crash kept off the meters (the inline metering failed or never ran).
    removed.usage_records_metered = await meterPendingUsage(connection, now);
    // Spend caps: reservations of replies that died, and the day's and month's counters recounted from the usage.
    removed.spend_reservations_released = await releaseStaleReservations(connection, now);
    removed.spend_counters_recounted = await recountSpend(connection, now);
    removed.control_plane_events_published = await sweepOutboxes(connection, options.events, 60_000, now);
    // Deleted notebooks whose files and data a crash or a storage outage left, and a last pass for late arrivals.
    removed.pending_deletions_completed = await completePendingDeletions(connection, options.tenantFiles, now);
    // Tenants offboarding for longer than the grace period: their data and files removed, and answered.
    removed.tenants_offboarded = await offboardDueTenants(connection, options.events, options.tenantFiles, now);
    // Audit entries past retention, each chain behind an anchor so it still verifies.
    if (options.auditRetentionDays) removed.audit_entries = (await pruneAudit(connection, options.auditRetentionDays, now)).pruned;
    return removed;
  });
}
