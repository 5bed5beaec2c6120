import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { claimModel } from "../database/claim.js";
import { tenantScoped } from "../tenancy/index.js";

/** A notebook: one person's conversation with models, inside one organisation. */
const notebookSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, required: true, trim: true },
    // "user" once its owner named it, "auto" once named from its first exchange; null: not named yet.
    titledBy: { type: String, enum: ["user", "auto", null], default: null },
    systemPrompt: { type: String, default: "" },
    modelId: { type: String, required: true },
    lastActivityAt: { type: Date, required: true },
    // The project it is in (its instructions and files apply); absent: in none.
    projectId: { type: Schema.Types.ObjectId },
    // A project's home: holds the project's knowledge files; no one chats in it, no list shows it.
    home: { type: Boolean },
  },
  { timestamps: true, collection: "notebooks" },
);
notebookSchema.plugin(tenantScoped);
// The list: one person's notebooks, newest activity first.
notebookSchema.index({ tenantId: 1, userId: 1, lastActivityAt: -1 }, { name: "tenant_user_activity" });
// A project's notebooks (equality on the project).
notebookSchema.index({ tenantId: 1, projectId: 1 }, { name: "tenant_project" });

/** A message's week since the epoch: the bucket a search without a text index reads newest first. */
export const WEEK_MS = 7 * 24 * 3600 * 1000;
export const weekOf = (at: Date): number => Math.floor(at.getTime() / WEEK_MS);

export const MESSAGE_STATUSES = ["streaming", "complete", "stopped", "failed"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

const messageSchema = new Schema(
  {
    notebookId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    role: { type: String, enum: ["user", "assistant"], required: true },
    content: { type: String, default: "" },
    modelId: { type: String },
    inputTokens: { type: Number, default: 0 },
    outputTokens: { type: Number, default: 0 },
    latencyMs: { type: Number },
    firstTokenMs: { type: Number },
    status: { type: String, enum: MESSAGE_STATUSES, required: true },
    error: { type: String },
    // The passages of knowledge files the reply cites as [n].
    // [{ n, fileId, fileName, page, chunkIndex, text }], written once with the finished reply.
    citations: { type: Schema.Types.Mixed, default: undefined },
    // weekOf(createdAt): equality on it is pushed down by FerretDB, where sorting by date is not.
    week: {
      type: Number,
      default: function (this: { createdAt?: Date }) {
        return weekOf(this.createdAt ?? new Date());
      },
    },
  },
  { timestamps: true, collection: "notebook_messages" },
);
messageSchema.plugin(tenantScoped);
messageSchema.index({ tenantId: 1, notebookId: 1, createdAt: 1 }, { name: "tenant_notebook_created" });
// Search without a text index: one person's messages of a week.
messageSchema.index({ tenantId: 1, userId: 1, week: -1 }, { name: "tenant_user_week" });

/**
 * One metered reply, for the control plane's metering. The idempotency key (the reply's message
 * id) is unique, so a retried write or a replayed consumer never counts a reply twice.
 */
const usageSchema = new Schema(
  {
    idempotencyKey: { type: String, required: true },
    // "title": the model naming a notebook from its first exchange (metered like a reply's tokens).
    kind: { type: String, enum: ["reply", "image", "embedding", "title"], required: true, default: "reply" },
    userId: { type: Schema.Types.ObjectId, required: true },
    notebookId: { type: Schema.Types.ObjectId, required: true },
    // The reply (kind "reply") or the image (kind "image") that was metered.
    messageId: { type: Schema.Types.ObjectId },
    imageId: { type: Schema.Types.ObjectId },
    images: { type: Number, default: 0 },
    modelId: { type: String, required: true },
    inputTokens: { type: Number, required: true },
    outputTokens: { type: Number, required: true },
    costUsd: { type: Number, required: true },
    // The price table's version the cost was computed with (metering/prices.ts); null: the catalog's.
    priceVersion: { type: Number, default: null },
    status: { type: String, enum: MESSAGE_STATUSES, required: true },
    at: { type: Date, required: true },
  },
  { collection: "usage_events" },
);
usageSchema.plugin(tenantScoped);
usageSchema.index({ idempotencyKey: 1 }, { unique: true, name: "idempotency_unique" });
usageSchema.index({ tenantId: 1, at: 1 }, { name: "tenant_at" });

export type NotebookDocument = InferSchemaType<typeof notebookSchema> & { tenantId: unknown; _id: unknown; createdAt: Date; updatedAt: Date };
export type MessageDocument = InferSchemaType<typeof messageSchema> & { tenantId: unknown; _id: unknown; createdAt: Date; updatedAt: Date };
export type UsageDocument = InferSchemaType<typeof usageSchema> & { tenantId: unknown; _id: unknown };

export function notebookModel(connection: Connection): Model<NotebookDocument> {
  return (connection.models.Notebook as Model<NotebookDocument> | undefined) ?? connection.model<NotebookDocument>("Notebook", notebookSchema);
}
export function messageModel(connection: Connection): Model<MessageDocument> {
  return (connection.models.NotebookMessage as Model<MessageDocument> | undefined) ?? connection.model<MessageDocument>("NotebookMessage", messageSchema);
}
export function usageEventModel(connection: Connection): Model<UsageDocument> {
  return (connection.models.UsageEvent as Model<UsageDocument> | undefined) ?? connection.model<UsageDocument>("UsageEvent", usageSchema);
}

/** Messages given their week per housekeeping run (in bulk writes of WEEK_BACKFILL_BATCH). */
export const WEEK_BACKFILL_MAX = 50_000;
const WEEK_BACKFILL_BATCH = 1_000;
const WEEK_BACKFILL_DONE = "notebook_messages.week";
/** After the first run that finds none, keep looking this long (instances of the previous release may still write). */
const WEEK_BACKFILL_GRACE_MS = 24 * 3600 * 1000;

/**
 * Gives messages stored before the `week` field existed their week, so a search without a text
 * index (which reads messages by week) finds them. Run by housekeeping in every tenant (the
 * caller's runAsSystem), at most `max` a run; once a run finds none and a day has passed, it stops
 * looking (a `migrations` record), so the unindexed query does not run every hour for ever.
 */
export async function backfillMessageWeeks(connection: Connection, now: Date = new Date(), max = WEEK_BACKFILL_MAX): Promise<number> {
  const marks = claimModel(connection, "migrations");
  const done = await marks.findOne({ key: WEEK_BACKFILL_DONE }).lean();
  if (done && now.getTime() - done.at.getTime() > WEEK_BACKFILL_GRACE_MS) return 0;
  const collection = messageModel(connection).collection;
  let updated = 0;
  while (updated < max) {
    const batch = await collection.find({ week: { $exists: false } }, { projection: { _id: 1, createdAt: 1 } }).limit(Math.min(WEEK_BACKFILL_BATCH, max - updated)).toArray();
    if (batch.length === 0) break;
    await collection.bulkWrite(
      batch.map((m) => ({ updateOne: { filter: { _id: m._id, week: { $exists: false } }, update: { $set: { week: weekOf(m.createdAt instanceof Date ? m.createdAt : now) } } } })),
      { ordered: false },
    );
    updated += batch.length;
  }
  if (updated === 0 && !done) {
    await marks.init();
    await marks.create({ key: WEEK_BACKFILL_DONE, at: now }).catch(() => undefined);
  }
  return updated;
}
