import type { FilterQuery, Model } from "mongoose";
import type { DatabaseCapabilities } from "./capabilities.js";

/**
 * Expiring documents (invites, refresh tokens, login attempts) carry an `expiresAt` date.
 * FerretDB v1 has no TTL indexes, so expiry never depends on one: reads filter with
 * `notExpired()`, a cleanup job calls `purgeExpired()`, and on MongoDB / DocumentDB a TTL index
 * is added as an improvement that removes documents sooner.
 */
export const EXPIRES_AT = "expiresAt";

export async function ensureExpiryIndex<T>(model: Model<T>, capabilities: DatabaseCapabilities): Promise<string> {
  if (capabilities.ttlIndexes) {
    return model.collection.createIndex({ [EXPIRES_AT]: 1 }, { name: "expiresAt_ttl", expireAfterSeconds: 0 });
  }
  return model.collection.createIndex({ [EXPIRES_AT]: 1 }, { name: "expiresAt_1" });
}

export function notExpired<T>(now: Date = new Date()): FilterQuery<T> {
  return { [EXPIRES_AT]: { $gt: now } } as FilterQuery<T>;
}

/** Deletes expired documents; returns how many went. Safe to run on every engine, any time. */
export async function purgeExpired<T>(model: Model<T>, now: Date = new Date()): Promise<number> {
  const result = await model.deleteMany({ [EXPIRES_AT]: { $lte: now } } as FilterQuery<T>);
  return result.deletedCount;
}
