import type { Connection } from "mongoose";
import { isDatabaseUnavailable } from "../database/index.js";
import { withTenant } from "../tenancy/index.js";
import { messageModel } from "./model.js";

/**
 * A reply is written three ways, so no crash or outage leaves it "streaming" with nothing in it:
 * - while it streams, the text so far is saved about once a second (what reached the user is
 *   in the database if the process dies);
 * - when it ends, its final state is written; if the database is away at that moment, the write
 *   is retried in the background until it is back, as "failed" with the text the user saw;
 * - a reply still "streaming" long after anything could still be writing it (the process died)
 *   is settled as "failed" the next time its notebook is read.
 */
// Longer than any reply may run (the streaming function stops at 5 minutes).
export const STALE_REPLY_MS = 6 * 60 * 1000;
export const INTERRUPTED_REPLY = "This reply was interrupted before it finished (the server or the database went away). What had arrived is kept; send your message again for a full answer.";
export const UNSAVED_REPLY = "This reply could not be saved when it finished because the database was not answering; the text you saw is kept. Send your message again for a full answer.";

/** Saves the text of a streaming reply at most once per `intervalMs`; failures are ignored (the final write decides). */
export function partialSaver(connection: Connection, tenantId: string, messageId: string, intervalMs = 1_000) {
  let latest = "";
  let savedAt = Date.now();
  let inFlight = false;
  return {
    push(text: string) {
      latest = text;
      if (inFlight || Date.now() - savedAt < intervalMs) return;
      inFlight = true;
      savedAt = Date.now();
      void withTenant(tenantId, () => messageModel(connection).updateOne({ _id: messageId, status: "streaming" }, { $set: { content: latest } }))
        .catch(() => undefined)
        .finally(() => {
          inFlight = false;
        });
    },
    get text() {
      return latest;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Retries the final write of a reply while the database is away (a second, doubling to 30 s,
 * for up to `forMs`), only while the reply is still "streaming". Runs in the background.
 */
export function settleWhenBack(connection: Connection, tenantId: string, messageId: string, set: Record<string, unknown>, options: { forMs?: number; onGiveUp?: (error: unknown) => void } = {}): void {
  const deadline = Date.now() + (options.forMs ?? 15 * 60 * 1000);
  void (async () => {
    for (let wait = 1_000; ; wait = Math.min(wait * 2, 30_000)) {
      await sleep(wait);
      try {
        await withTenant(tenantId, () => messageModel(connection).updateOne({ _id: messageId, status: "streaming" }, { $set: set }));
        return;
      } catch (error) {
        if (!isDatabaseUnavailable(error) || Date.now() > deadline) {
          // The sweep below settles it when its notebook is next read.
          options.onGiveUp?.(error);
          return;
        }
      }
    }
  })();
}

/**
 * Settles, among a notebook's messages just read, the replies that stopped "streaming" long ago
 * without being finished; returns the messages as they now are. Writes only when there is such a
 * reply (a conditional update by id), so reading a notebook stays one query.
 */
export async function settleStaleReplies<T extends { _id: unknown; status: string; updatedAt?: Date; error?: string | null }>(connection: Connection, tenantId: string, messages: T[], now: Date = new Date()): Promise<T[]> {
  const cutoff = now.getTime() - STALE_REPLY_MS;
  const stale = messages.filter((m) => m.status === "streaming" && m.updatedAt !== undefined && m.updatedAt.getTime() < cutoff);
  if (stale.length === 0) return messages;
  await withTenant(tenantId, () =>
    messageModel(connection).updateMany({ _id: { $in: stale.map((m) => m._id) }, status: "streaming" }, { $set: { status: "failed", error: INTERRUPTED_REPLY } }),
  );
  const settled = new Set(stale);
  return messages.map((m) => (settled.has(m) ? { ...m, status: "failed", error: INTERRUPTED_REPLY } : m));
}
