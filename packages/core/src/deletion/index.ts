import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { Connection } from "mongoose";
import { isDuplicateKeyError } from "../database/index.js";
import { generatedImageModel } from "../images/index.js";
import { knowledgeChunkModel, knowledgeFileModel } from "../knowledge/files.js";
import { vectorBlockModel } from "../knowledge/vectors.js";
import { isStorageOutage } from "../knowledge/storage.js";
import { messageModel, notebookModel } from "../notebooks/model.js";
import { getNotebook, type Owner } from "../notebooks/notebooks.js";
import { withTenant } from "../tenancy/index.js";
import { notifyNotebook } from "../live/events.js";
import { shareModel } from "../sharing/model.js";

/**
 * Deleting a notebook removes everything it holds: its messages, its knowledge files (objects,
 * passages and vectors) and its images (objects and records). Usage events stay: they are the
 * organisation's bill.
 *
 * A deletion is recorded first (`pending_deletions`), then the notebook itself goes (so no one
 * reaches it from that moment), then what it held, and last the record. Whatever stops it half-way
 * (a crash, storage down), the hourly housekeeping finishes from the record.
 */
export interface DeletionStorage {
  readonly s3: S3Client;
  /** The buckets a notebook's objects may be in: knowledge files and generated images. */
  readonly buckets: readonly string[];
}

interface PendingDeletion {
  _id: string;
  kind: "notebook";
  tenantId: string;
  notebookId: string;
  at: Date;
  attempts: number;
  lastError?: string;
  /** When everything it held was last removed (one more pass follows after an hour). */
  removedAt?: Date;
}
const pending = (c: Connection) => c.collection<PendingDeletion>("pending_deletions");

/** Deletes a notebook of its owner with all it holds; what storage could not remove now, housekeeping removes. */
export async function deleteNotebookAndData(connection: Connection, owner: Owner, notebookId: string, storage: DeletionStorage | undefined, now: Date = new Date()): Promise<{ complete: boolean }> {
  await getNotebook(connection, owner, notebookId);
  const record = await deleteNotebookRecord(connection, owner.tenantId, notebookId, now);
  await notifyNotebook(connection, owner, notebookId, "notebook.deleted");
  return { complete: await finish(connection, record, storage, now) };
}

/** A notebook the caller has already checked (a deleted project's home), with all it holds. */
export async function removeNotebookAndData(connection: Connection, tenantId: string, notebookId: string, storage: DeletionStorage | undefined, now: Date = new Date()): Promise<{ complete: boolean }> {
  const record = await deleteNotebookRecord(connection, tenantId, notebookId, now);
  return { complete: await finish(connection, record, storage, now) };
}

/** The first step: the deletion recorded, then the notebook gone (no one reaches it from here). */
export async function deleteNotebookRecord(connection: Connection, tenantId: string, notebookId: string, now: Date = new Date()): Promise<PendingDeletion> {
  const record: PendingDeletion = { _id: `notebook:${notebookId}`, kind: "notebook", tenantId, notebookId, at: now, attempts: 0 };
  try {
    await pending(connection).insertOne(record);
  } catch (error) {
    // Asked twice at once: the first finishes it.
    if (!isDuplicateKeyError(error)) throw error;
  }
  await withTenant(tenantId, () => notebookModel(connection).deleteOne({ _id: notebookId }));
  return record;
}

/** Finishes pending deletions not yet emptied, for up to `budgetMs`; returns how many are left. */
export async function finishNotebookDeletions(connection: Connection, storage: DeletionStorage | undefined, now: Date, options: { budgetMs: number }): Promise<{ left: number }> {
  const until = Date.now() + options.budgetMs;
  const open = (await pending(connection).find({}).limit(1000).toArray()).filter((r) => !r.removedAt);
  let left = open.length;
  for (const record of open) {
    if (Date.now() > until) break;
    if (await finish(connection, record, storage, now)) left--;
  }
  return { left };
}

/** Housekeeping: finishes the deletions a crash or an outage left. */
export async function completePendingDeletions(connection: Connection, storage: DeletionStorage | undefined, now: Date = new Date()): Promise<number> {
  let done = 0;
  for (const record of await pending(connection).find({}).limit(500).toArray()) if (await finish(connection, record, storage, now)) done++;
  return done;
}

/** How long after a deletion housekeeping looks once more for what arrived late. */
export const LAST_PASS_AFTER_MS = 60 * 60_000;

async function finish(connection: Connection, record: PendingDeletion, storage: DeletionStorage | undefined, now: Date = new Date()): Promise<boolean> {
  try {
    // Objects first: a record kept is how a later run finds them.
    if (storage) for (const bucket of storage.buckets) await removePrefix(storage.s3, bucket, `tenants/${record.tenantId}/notebooks/${record.notebookId}/`);
    await withTenant(record.tenantId, async () => {
      const filter = { notebookId: record.notebookId } as never;
      for (const model of [messageModel(connection), knowledgeChunkModel(connection), vectorBlockModel(connection), knowledgeFileModel(connection), generatedImageModel(connection), shareModel(connection)] as Array<{ deleteMany(f: never): Promise<unknown> }>) {
        await model.deleteMany(filter);
      }
      // A notebook whose owner's request stopped before it went.
      await notebookModel(connection).deleteOne({ _id: record.notebookId });
    });
    // Kept for one more pass after an hour: an upload through a link given out before (links live
    // minutes) or a file being read at that moment can still add to what was removed.
    if (now.getTime() - record.at.getTime() >= LAST_PASS_AFTER_MS) await pending(connection).deleteOne({ _id: record._id });
    else await pending(connection).updateOne({ _id: record._id }, { $set: { removedAt: now }, $unset: { lastError: "" } });
    return true;
  } catch (error) {
    const reason = isStorageOutage(error) ? "storage not answering" : error instanceof Error ? error.message.slice(0, 200) : String(error);
    await pending(connection).updateOne({ _id: record._id }, { $inc: { attempts: 1 }, $set: { lastError: reason } }).catch(() => undefined);
    return false;
  }
}

async function removePrefix(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

export { accountDeletionPreview, deleteOrganisation, deleteOwnAccount, organisationDeletionPreview, DeleteAccountInput, DeleteOrganisationInput } from "./owners.js";
