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

/** Settles the replies of a notebook that stopped "streaming" long ago without being finished. */
export async function failStaleReplies(connection: Connection, tenantId: string, notebookId: string, now: Date = new Date()): Promise<void> {
  await withTenant(tenantId, () =>
    messageModel(connection).updateMany({ notebookId, status: "streaming", updatedAt: { $lt: new Date(now.getTime() - STALE_REPLY_MS) } }, { $set: { status: "failed", error: INTERRUPTED_REPLY } }),
  );
}
