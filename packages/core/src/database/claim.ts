import { Schema, type Connection, type Model } from "mongoose";
import { isDuplicateKeyError } from "./errors.js";

/**
 * Claim-once on every engine: insert the key into a collection with a unique index; exactly one
 * of any number of concurrent claims succeeds. (A conditional findOneAndUpdate is not atomic on
 * FerretDB v1, and there are no transactions; see docs/documentdb.md.)
 */
interface Claim {
  key: string;
  at: Date;
}

const claimSchema = new Schema<Claim>({ key: { type: String, required: true }, at: { type: Date, required: true } });
claimSchema.index({ key: 1 }, { unique: true, name: "key_unique" });

export function claimModel(connection: Connection, collection: string): Model<Claim> {
  const name = `Claim:${collection}`;
  return (connection.models[name] as Model<Claim> | undefined) ?? connection.model<Claim>(name, claimSchema, collection);
}

/** True for the one caller that claims `key` first; false for everyone after. */
export async function claimOnce(connection: Connection, collection: string, key: string, now: Date = new Date()): Promise<boolean> {
  const claims = claimModel(connection, collection);
  // The unique index must exist before the first claim, or two could pass.
  await claims.init();
  try {
    await claims.create({ key, at: now });
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}
