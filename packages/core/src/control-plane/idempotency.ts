import { createHash } from "node:crypto";
import type { Connection } from "mongoose";
import { isDuplicateKeyError } from "../database/index.js";
import { ConflictError } from "../errors/index.js";

/**
 * Idempotency-Key for creates that have no natural key of their own (POST /control-plane/users):
 * the first request with a key claims it (one insert; the unique _id decides a race), runs, and
 * stores its answer; a repeat with the same key and body gets that answer; the same key with
 * another body is refused. A request that failed releases its key, so a retry runs again; one
 * cut off by a crash leaves its claim, which is taken over after `staleMs`.
 */
interface Stored {
  _id: string;
  requestHash: string;
  state: "running" | "done";
  result?: unknown;
  at: Date;
}

const STALE_MS = 2 * 60_000;
/** How long a key is remembered. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60_000;

/** Housekeeping: forgets keys older than a day. */
export async function purgeIdempotencyKeys(connection: Connection, now: Date = new Date()): Promise<number> {
  return (await connection.collection<Stored>("control_plane_idempotency_keys").deleteMany({ at: { $lt: new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS) } })).deletedCount;
}

export async function withIdempotencyKey<T>(
  connection: Connection,
  key: { caller: string; key: string; operation: string } | undefined,
  request: unknown,
  run: () => Promise<T>,
  now: () => Date = () => new Date(),
): Promise<{ result: T; replayed: boolean }> {
  if (!key) return { result: await run(), replayed: false };
  const keys = connection.collection<Stored>("control_plane_idempotency_keys");
  const _id = createHash("sha256").update(`${key.operation}\n${key.caller}\n${key.key}`).digest("hex");
  const requestHash = createHash("sha256").update(JSON.stringify(request ?? null)).digest("hex");
  try {
    await keys.insertOne({ _id, requestHash, state: "running", at: now() });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const existing = await keys.findOne({ _id });
    if (existing && existing.requestHash !== requestHash) throw new ConflictError("This Idempotency-Key was used for a different request. Use a new key for a new request.", "idempotency.key_reused");
    if (existing?.state === "done") return { result: existing.result as T, replayed: true };
    if (existing && now().getTime() - existing.at.getTime() < STALE_MS) {
      throw new ConflictError("A request with this Idempotency-Key is still running. Try again in a moment.", "idempotency.in_progress");
    }
    // Abandoned by a crash: taken over. (On FerretDB v1 two takers at the same moment may both
    // pass this conditional write; the create itself then refuses the second as a duplicate.)
    const { modifiedCount } = await keys.updateOne({ _id, state: "running", at: existing?.at ?? new Date(0) }, { $set: { at: now() } });
    if (!modifiedCount) throw new ConflictError("A request with this Idempotency-Key is still running. Try again in a moment.", "idempotency.in_progress");
  }
  let result: T;
  try {
    result = await run();
  } catch (error) {
    await keys.deleteOne({ _id, state: "running" }).catch(() => undefined);
    throw error;
  }
  await keys.updateOne({ _id }, { $set: { state: "done", result: result as unknown, at: now() } });
  return { result, replayed: false };
}
