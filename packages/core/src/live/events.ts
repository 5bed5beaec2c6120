import type { LiveEvent, LiveKind } from "@tandem/client/contract";
import { Schema, type Connection, type Model, type Types } from "mongoose";
import { runAsSystem, tenantScoped } from "../tenancy/index.js";

/**
 * The live-update log: one small document per change in a notebook, read by the fan-out (every
 * few hundred milliseconds) and by a resuming connection. A plain collection on every engine
 * (FerretDB v1 has no change streams); kept for LIVE_RETENTION_MS, then pruned by housekeeping.
 */
export interface LiveEventDocument {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  notebookId: string;
  /** The notebook's owner: list changes go to them (and to whoever else may read it). */
  ownerId: string;
  kind: LiveKind;
  data?: Record<string, unknown>;
  at: Date;
}

const schema = new Schema<LiveEventDocument>(
  {
    notebookId: { type: String, required: true },
    ownerId: { type: String, required: true },
    kind: { type: String, required: true },
    data: { type: Schema.Types.Mixed },
    at: { type: Date, required: true },
  },
  { collection: "live_events", versionKey: false, minimize: true },
);
// tenantId (an ObjectId) comes with the plugin: this log is tenant-owned, read across tenants only by the fan-out (runAsSystem).
schema.plugin(tenantScoped);
schema.index({ at: 1 }, { name: "at" });

/** How long a disconnected view can be away and still catch up event by event (then: reload). */
export const LIVE_RETENTION_MS = 15 * 60_000;
/**
 * How far before a cursor the log is read again: an event is stamped by its writer's clock and
 * becomes visible a moment later, so a reader at time T may not yet see one stamped a little before
 * T. Readers re-read this window and drop the ids they have handled.
 */
export const LIVE_OVERLAP_MS = 5_000;

export function liveEventModel(connection: Connection): Model<LiveEventDocument> {
  return (connection.models.LiveEvent as Model<LiveEventDocument> | undefined) ?? connection.model<LiveEventDocument>("LiveEvent", schema);
}

export interface LiveChange {
  readonly tenantId: string;
  readonly notebookId: string;
  readonly ownerId: string;
  readonly kind: LiveKind;
  readonly data?: Record<string, unknown>;
}

/**
 * Records a change for the open views. Never fails the change itself: the change is already
 * stored, and a view that misses the event still shows it on its next read (views read their
 * state again when they reconnect). `onError` hears about it.
 */
export async function publishLive(connection: Connection, change: LiveChange, onError?: (error: unknown) => void): Promise<void> {
  try {
    await runAsSystem("live-update log", () => liveEventModel(connection).create({ ...change, at: new Date() }));
  } catch (error) {
    onError?.(error);
  }
}

/** Most events one read returns; a reader that gets this many reads again from the last one's time. */
export const LIVE_READ_LIMIT = 5_000;

/** The events stamped at or after `since`, oldest first (ties by id), at most LIVE_READ_LIMIT. */
export async function liveEventsSince(connection: Connection, since: Date, filter: { tenantId?: string } = {}): Promise<LiveEventDocument[]> {
  return runAsSystem("live-update log", () =>
    liveEventModel(connection)
      .find({ ...(filter.tenantId ? { tenantId: filter.tenantId } : {}), at: { $gte: since } })
      .sort({ at: 1, _id: 1 })
      .limit(LIVE_READ_LIMIT)
      .lean<LiveEventDocument[]>(),
  );
}

export const toLiveEvent = (d: LiveEventDocument): LiveEvent => ({
  type: "event",
  id: String(d._id),
  at: d.at.getTime(),
  kind: d.kind,
  notebookId: d.notebookId,
  ...(d.data ? { data: d.data } : {}),
});

/** Housekeeping: events older than the retention window. */
export async function pruneLiveEvents(connection: Connection, now: Date = new Date()): Promise<number> {
  const result = await runAsSystem("live-update log pruning", () => liveEventModel(connection).deleteMany({ at: { $lt: new Date(now.getTime() - LIVE_RETENTION_MS) } }));
  return result.deletedCount ?? 0;
}

/** A change in a notebook, by someone working in it (publishLive with the owner's tenant and id). */
export function notifyNotebook(connection: Connection, who: { tenantId: string; userId: string }, notebookId: string, kind: LiveKind, data?: Record<string, unknown>): Promise<void> {
  return publishLive(connection, { tenantId: who.tenantId, ownerId: who.userId, notebookId, kind, ...(data ? { data } : {}) });
}
