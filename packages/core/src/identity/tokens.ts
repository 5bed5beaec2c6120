import { claimOnce } from "../database/index.js";
import { digestToken, newSecretToken } from "./secret-token.js";
import { Schema, type Connection, type InferSchemaType, type Model, type Types } from "mongoose";

/**
 * One-time tokens sent by mail (verify an address, reset a password). Only a SHA-256 of the
 * token is stored, so a database leak reveals no usable link. A token is used through
 * claimOnce, so exactly one of two simultaneous clicks wins on every engine.
 */
export const TOKEN_PURPOSES = ["verify_email", "reset_password", "change_email"] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

const tokenSchema = new Schema(
  {
    hash: { type: String, required: true },
    purpose: { type: String, enum: TOKEN_PURPOSES, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    // For change_email: the new address, which the link proves.
    email: { type: String },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: "one_time_tokens" },
);
tokenSchema.index({ hash: 1 }, { unique: true, name: "hash_unique" });
tokenSchema.index({ userId: 1, purpose: 1 }, { name: "user_purpose" });
tokenSchema.index({ expiresAt: 1 }, { name: "expiresAt_1" });

type TokenDocument = InferSchemaType<typeof tokenSchema>;
export function oneTimeTokenModel(connection: Connection): Model<TokenDocument> {
  return (connection.models.OneTimeToken as Model<TokenDocument> | undefined) ?? connection.model("OneTimeToken", tokenSchema);
}

export async function issueToken(connection: Connection, input: { userId: Types.ObjectId | string; purpose: TokenPurpose; ttlMs: number; email?: string; now?: Date }): Promise<string> {
  const token = newSecretToken();
  const now = input.now ?? new Date();
  await oneTimeTokenModel(connection).create({ hash: digestToken(token), purpose: input.purpose, userId: input.userId, email: input.email, expiresAt: new Date(now.getTime() + input.ttlMs) });
  return token;
}

/** Marks the token used and returns its user (and address), or undefined when unknown, used or expired. */
export async function consumeToken(connection: Connection, token: string, purpose: TokenPurpose, now: Date = new Date()): Promise<{ userId: string; email?: string; issuedAt: Date } | undefined> {
  const hash = digestToken(token);
  const tokens = oneTimeTokenModel(connection);
  const doc = await tokens.findOne({ hash, purpose, usedAt: null, expiresAt: { $gt: now } }).lean();
  if (!doc) return undefined;
  if (!(await claimOnce(connection, "one_time_token_uses", hash, now))) return undefined;
  await tokens.updateOne({ _id: doc._id }, { $set: { usedAt: now } });
  return { userId: String(doc.userId), email: doc.email ?? undefined, issuedAt: doc.createdAt };
}

/** Ends every open link of one purpose for a user (a newer reset was used, the password changed). */
export async function revokeTokens(connection: Connection, userId: string, purpose: TokenPurpose, now: Date = new Date()): Promise<void> {
  await oneTimeTokenModel(connection).updateMany({ userId, purpose, usedAt: null }, { $set: { usedAt: now } });
}
