import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { Connection, Model } from "mongoose";
import { z } from "zod";
import { withLease } from "../database/index.js";
import { apiKeyModel } from "../identity/api-keys.js";
import { generatedImageModel } from "../images/index.js";
import { knowledgeChunkModel, knowledgeFileModel } from "../knowledge/files.js";
import { vectorBlockModel } from "../knowledge/vectors.js";
import { messageModel, notebookModel } from "../notebooks/model.js";
import { runAsSystem } from "../tenancy/index.js";
import { inviteModel } from "../tenants/invites.js";
import { membershipModel } from "../tenants/membership.js";
import { tenantModel } from "../tenants/model.js";
import { DETAIL_TYPES, EVENT_SOURCES, outboxEvent, type EventPublisher } from "./events.js";
import { groupMemberModel, groupModel } from "../groups/model.js";
import { liveConnectionModel, liveEventModel } from "../live/index.js";
import { shareModel } from "../sharing/model.js";
import { projectMemberModel, projectModel } from "../projects/model.js";

/**
 * Offboarding's second half, Tandem's application plane: sign-in ended when offboarding began
 * (the control plane's move); once the grace period has passed, the tenant's data and files are
 * removed and the application plane answers `sbt_aws_deprovisionSuccess` (or a failure, with the
 * reason), which the control plane records as offboarded (or failed, to retry). Usage events stay:
 * they are the tenant's bill.
 */
export const OFFBOARD_GRACE_MS = 30 * 24 * 60 * 60 * 1000;

/** Every collection that holds a tenant's own data (a test keeps it in step with the tenant-scoped models). */
export function tenantDataModels(connection: Connection): Array<Model<never>> {
  return [
    membershipModel(connection),
    inviteModel(connection),
    apiKeyModel(connection),
    notebookModel(connection),
    messageModel(connection),
    knowledgeFileModel(connection),
    knowledgeChunkModel(connection),
    vectorBlockModel(connection),
    generatedImageModel(connection),
    groupModel(connection),
    groupMemberModel(connection),
    shareModel(connection),
    projectModel(connection),
    projectMemberModel(connection),
    liveEventModel(connection),
    liveConnectionModel(connection),
  ] as unknown as Array<Model<never>>;
}

/** Deletes every object under `tenants/<id>/` in the given buckets, a thousand at a time. */
async function removeTenantObjects(s3: S3Client, bucket: string, tenantId: string): Promise<number> {
  let removed = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `tenants/${tenantId}/`, ContinuationToken: token }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length) {
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
      removed += keys.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return removed;
}

/** Removes a tenant's data and files; safe to run again after a crash (what is gone stays gone). */
export async function removeTenantData(connection: Connection, tenantId: string, storage?: { s3: S3Client; buckets: readonly string[] }): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  if (storage) for (const bucket of storage.buckets) removed[`s3:${bucket}`] = await removeTenantObjects(storage.s3, bucket, tenantId);
  await runAsSystem(`offboarding: remove the data of tenant ${tenantId}`, async () => {
    for (const model of tenantDataModels(connection)) removed[model.collection.collectionName] = (await model.deleteMany({ tenantId } as never)).deletedCount;
  });
  return removed;
}

const DeprovisionDetail = z.object({ tenantId: z.string().regex(/^[0-9a-f]{24}$/i) });

/**
 * Run by housekeeping: every tenant offboarding for longer than the grace period has its data
 * removed, and the application plane answers. Each under the tenant's lease; a failure is answered
 * as deprovisionFailure with the reason (the control plane marks it failed, to retry).
 */
export async function offboardDueTenants(connection: Connection, publisher: EventPublisher | undefined, storage: { s3: S3Client; buckets: readonly string[] } | undefined, now: Date = new Date(), graceMs = OFFBOARD_GRACE_MS): Promise<number> {
  if (!publisher) return 0;
  const due = await tenantModel(connection).find({ status: "offboarding" }).select({ transitions: 1 }).lean();
  let done = 0;
  for (const tenant of due) {
    const began = ((tenant.transitions ?? []) as Array<{ to: string; at: Date }>).filter((t) => t.to === "offboarding").at(-1)?.at;
    if (!began || now.getTime() - new Date(began).getTime() < graceMs) continue;
    const tenantId = String(tenant._id);
    DeprovisionDetail.parse({ tenantId });
    await withLease(
      connection,
      `deprovision:${tenantId}`,
      async () => {
        let answer;
        try {
          await removeTenantData(connection, tenantId, storage);
          answer = outboxEvent(DETAIL_TYPES.deprovisionSuccess, { tenantId }, now, EVENT_SOURCES.applicationPlane);
        } catch (error) {
          answer = outboxEvent(DETAIL_TYPES.deprovisionFailure, { tenantId, reason: error instanceof Error ? error.message.slice(0, 2000) : String(error) }, now, EVENT_SOURCES.applicationPlane);
        }
        await publisher.publish([answer]);
        done++;
      },
      { ttlMs: 30 * 60_000, what: "This tenant's offboarding" },
    );
  }
  return done;
}
