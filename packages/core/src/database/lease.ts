import { randomUUID } from "node:crypto";
import { Schema, type Connection, type Model } from "mongoose";
import { ConflictError } from "../errors/index.js";
import { isDuplicateKeyError } from "./errors.js";

/**
 * A short exclusive lease on a key, for the few rules that span documents ("an organisation
 * always keeps an owner", "one open invitation per address"). Taking it is one insert into a
 * collection with a unique index, the one conditional write that is atomic on MongoDB, DocumentDB
 * and FerretDB v1 alike (no transactions needed). A holder that crashes leaves a lease that
 * lapses after `ttlMs`, and the next caller takes it over, so no state needs a manual repair.
 */
interface Lease {
  key: string;
  holder: string;
  expiresAt: Date;
}

const leaseSchema = new Schema<Lease>({ key: { type: String, required: true }, holder: { type: String, required: true }, expiresAt: { type: Date, required: true } }, { collection: "leases", versionKey: false });
leaseSchema.index({ key: 1 }, { unique: true, name: "key_unique" });
leaseSchema.index({ expiresAt: 1 }, { name: "expiresAt_1" });

export function leaseModel(connection: Connection): Model<Lease> {
  return (connection.models.Lease as Model<Lease> | undefined) ?? connection.model<Lease>("Lease", leaseSchema);
}

export interface LeaseOptions {
  /** How long a holder may keep the lease before others may take it over. */
  readonly ttlMs?: number;
  /** How long to wait for a busy lease before giving up with a ConflictError. */
  readonly waitMs?: number;
  /** What the error says is busy, e.g. "This organisation's owners". */
  readonly what?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` while holding the lease on `key`; concurrent callers run one after another. */
export async function withLease<T>(connection: Connection, key: string, fn: () => Promise<T>, options: LeaseOptions = {}): Promise<T> {
  const leases = leaseModel(connection);
  // The unique index must exist before the first lease, or two could be taken at once.
  await leases.init();
  const ttlMs = options.ttlMs ?? 15_000;
  const deadline = Date.now() + (options.waitMs ?? 5_000);
  const holder = randomUUID();
  for (let attempt = 0; ; attempt++) {
    try {
      await leases.create({ key, holder, expiresAt: new Date(Date.now() + ttlMs) });
      break;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    // A lapsed lease (its holder crashed) is removed by id, so a fresh one is never deleted.
    const stale = await leases.findOne({ key, expiresAt: { $lt: new Date() } }).select({ _id: 1 }).lean();
    if (stale) {
      await leases.deleteOne({ _id: stale._id, expiresAt: { $lt: new Date() } });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ConflictError(`${options.what ?? "This item"} is being changed by someone else right now. Try again in a moment.`, "resource.busy");
    }
    await sleep(Math.min(200, 10 * 2 ** Math.min(attempt, 4)) + Math.random() * 20);
  }
  try {
    return await fn();
  } finally {
    await leases.deleteOne({ key, holder }).catch(() => undefined);
  }
}
