import { LiveClientMessage, MAX_LIVE_MESSAGE_BYTES, type LiveServerMessage } from "@tandem/client/contract";
import { Schema, type Connection, type Model } from "mongoose";
import { ForbiddenError } from "../errors/index.js";
import { runAsSystem, tenantScoped } from "../tenancy/index.js";
import { LIVE_OVERLAP_MS, LIVE_READ_LIMIT, LIVE_RETENTION_MS, liveEventsSince, toLiveEvent } from "./events.js";
import type { LiveGateway } from "./gateway.js";
import { redeemLiveTicket, type LiveIdentity } from "./tickets.js";

/** One open WebSocket: whose it is, in which organisation, and what it follows. */
export interface LiveConnectionDocument {
  _id: string;
  tenantId: string;
  userId: string;
  notebooks: string[];
  list: boolean;
  connectedAt: Date;
}

const schema = new Schema<LiveConnectionDocument>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    notebooks: { type: [String], default: [] },
    list: { type: Boolean, default: false },
    connectedAt: { type: Date, required: true },
  },
  { collection: "live_connections", versionKey: false },
);
schema.plugin(tenantScoped);

export function liveConnectionModel(connection: Connection): Model<LiveConnectionDocument> {
  return (connection.models.LiveConnection as Model<LiveConnectionDocument> | undefined) ?? connection.model<LiveConnectionDocument>("LiveConnection", schema);
}

/** May this person read this notebook now (owner, or shared with them)? */
export type LiveAccess = (who: LiveIdentity, notebookId: string) => Promise<boolean>;

export interface LiveContext {
  readonly connection: Connection;
  readonly gateway: LiveGateway;
  readonly sessionSecret: string;
  /** The site's origin (APP_URL): a browser connecting from any other page is refused. */
  readonly appOrigin: string;
  readonly access: LiveAccess;
}

const system = <T>(work: () => T | PromiseLike<T>) => runAsSystem("live connections", work);

/**
 * A new connection ($connect): the ticket names the person and organisation, the Origin (which a
 * browser always sends) must be the site's. Throws (the gateway then refuses the upgrade).
 */
export async function openLiveConnection(ctx: LiveContext, input: { connectionId: string; ticket: string | undefined; origin: string | undefined }, now: Date = new Date()): Promise<LiveIdentity> {
  if (input.origin !== undefined && input.origin !== ctx.appOrigin) throw new ForbiddenError("Live updates are only for pages of this site.", "live.origin_refused");
  const who = await redeemLiveTicket(ctx.connection, ctx.sessionSecret, input.ticket ?? "", now);
  await system(() => liveConnectionModel(ctx.connection).create({ _id: input.connectionId, tenantId: who.tenantId, userId: who.userId, notebooks: [], list: false, connectedAt: now }));
  return who;
}

/** A closed connection ($disconnect). */
export async function closeLiveConnection(ctx: Pick<LiveContext, "connection">, connectionId: string): Promise<void> {
  await system(() => liveConnectionModel(ctx.connection).deleteOne({ _id: connectionId }));
}

const reply = (ctx: LiveContext, connectionId: string, message: LiveServerMessage) => ctx.gateway.send(connectionId, JSON.stringify(message));

/**
 * A message from the client ($default): a subscription (with what was missed since `since`,
 * replayed before "ready") or a ping. A notebook the person may not read is left out and named in
 * "ready"'s `refused`, without saying whether it exists.
 */
export async function handleLiveMessage(ctx: LiveContext, connectionId: string, body: string, now: () => Date = () => new Date()): Promise<void> {
  if (Buffer.byteLength(body) > MAX_LIVE_MESSAGE_BYTES) {
    await reply(ctx, connectionId, { type: "error", detail: `Messages are limited to ${MAX_LIVE_MESSAGE_BYTES} bytes.` });
    return;
  }
  let message: ReturnType<typeof LiveClientMessage.parse>;
  try {
    message = LiveClientMessage.parse(JSON.parse(body));
  } catch {
    await reply(ctx, connectionId, { type: "error", detail: 'Send {"type":"subscribe","notebooks":[...],"list":true} or {"type":"ping"}.' });
    return;
  }
  if (message.type === "ping") {
    await reply(ctx, connectionId, { type: "pong" });
    return;
  }
  const record = await system(() => liveConnectionModel(ctx.connection).findById(connectionId).lean());
  if (!record) {
    await ctx.gateway.close(connectionId);
    return;
  }
  const who = { userId: record.userId, tenantId: String(record.tenantId) };
  const allowed: string[] = [];
  const refused: string[] = [];
  for (const id of new Set(message.notebooks)) ((await ctx.access(who, id)) ? allowed : refused).push(id);
  // Stored before the replay is read: an event after this write reaches the fan-out's next read
  // with this subscription in place; one before it is in the replay (the client drops repeats).
  await system(() => liveConnectionModel(ctx.connection).updateOne({ _id: connectionId }, { $set: { notebooks: allowed, list: message.list } }));
  const at = now();
  if (message.since !== undefined) {
    if (message.since < at.getTime() - LIVE_RETENTION_MS + LIVE_OVERLAP_MS) {
      await reply(ctx, connectionId, { type: "reset" });
    } else {
      const missed = await liveEventsSince(ctx.connection, new Date(message.since - LIVE_OVERLAP_MS), { tenantId: who.tenantId });
      // More than one read holds: the view reads its state again rather than receive part of it.
      if (missed.length >= LIVE_READ_LIMIT) await reply(ctx, connectionId, { type: "reset" });
      else for (const event of await deliverable(ctx, { ...who, notebooks: allowed, list: message.list }, missed)) await reply(ctx, connectionId, toLiveEvent(event));
    }
  }
  await reply(ctx, connectionId, { type: "ready", at: at.getTime(), refused });
}

/** The events among `events` that this subscriber follows and may see. */
export async function deliverable<E extends { tenantId: unknown; notebookId: string; ownerId: string; kind: string }>(
  ctx: Pick<LiveContext, "access">,
  sub: { userId: string; tenantId: unknown; notebooks: readonly string[]; list: boolean },
  events: readonly E[],
  cache: Map<string, Promise<boolean>> = new Map(),
): Promise<E[]> {
  const out: E[] = [];
  for (const e of events) {
    const tenantId = String(sub.tenantId);
    if (String(e.tenantId) !== tenantId) continue;
    const followed = sub.notebooks.includes(e.notebookId);
    const listed = sub.list && (e.kind === "notebook.changed" || e.kind === "notebook.deleted");
    if (!followed && !listed) continue;
    // A deleted notebook can no longer be checked: its owner and those who had it open hear of it.
    if (e.kind === "notebook.deleted") {
      if (followed || e.ownerId === sub.userId) out.push(e);
      continue;
    }
    const key = `${tenantId}:${sub.userId}:${e.notebookId}`;
    let may = cache.get(key);
    if (!may) {
      may = ctx.access({ userId: sub.userId, tenantId }, e.notebookId);
      cache.set(key, may);
    }
    if (await may) out.push(e);
  }
  return out;
}

/** Housekeeping: records of connections API Gateway has closed by now (it keeps one at most 2 hours). */
export async function pruneLiveConnections(connection: Connection, now: Date = new Date()): Promise<number> {
  const result = await system(() => liveConnectionModel(connection).deleteMany({ connectedAt: { $lt: new Date(now.getTime() - 3 * 3600_000) } }));
  return result.deletedCount ?? 0;
}
