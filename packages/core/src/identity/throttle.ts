import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { RateLimitedError } from "../errors/index.js";

/**
 * Login throttling. Every failed sign-in is one inserted document (inserts are safe on every
 * engine; a read-modify-write counter is not atomic on FerretDB v1), counted per account and per
 * client address over a sliding window. Past the limit, sign-in is refused until the oldest
 * counted failure leaves the window, and the answer says when that is.
 */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
// Five guesses per quarter hour per account: a person mistypes a few times, a script is stopped.
export const ACCOUNT_FAILURE_LIMIT = 5;
// An office behind one NAT address may hold many people; the per-address limit stops sprays.
export const ADDRESS_FAILURE_LIMIT = 30;

const failureSchema = new Schema(
  {
    key: { type: String, required: true },
    at: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: "login_failures", versionKey: false },
);
failureSchema.index({ key: 1, at: 1 }, { name: "key_at" });
failureSchema.index({ expiresAt: 1 }, { name: "expiresAt_1" });

type FailureDocument = InferSchemaType<typeof failureSchema>;

export function loginFailureModel(connection: Connection): Model<FailureDocument> {
  return (connection.models.LoginFailure as Model<FailureDocument> | undefined) ?? connection.model("LoginFailure", failureSchema);
}

export interface LoginAttempt {
  /** The email as typed (lower-cased); unknown addresses are throttled like known ones. */
  readonly email: string;
  /** The client's address, when known. */
  readonly ip?: string;
}

const keysOf = (attempt: LoginAttempt) => [
  { key: `account:${attempt.email.trim().toLowerCase()}`, limit: ACCOUNT_FAILURE_LIMIT, what: "this account" },
  ...(attempt.ip ? [{ key: `ip:${attempt.ip}`, limit: ADDRESS_FAILURE_LIMIT, what: "your network address" }] : []),
];

function minutes(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return m === 1 ? "1 minute" : `${m} minutes`;
}

/** Throws RateLimitedError, saying when to retry, if the account or the address is locked out. */
export async function assertLoginAllowed(connection: Connection, attempt: LoginAttempt, now: Date = new Date()): Promise<void> {
  const failures = loginFailureModel(connection);
  const since = new Date(now.getTime() - LOGIN_WINDOW_MS);
  for (const { key, limit, what } of keysOf(attempt)) {
    const recent = await failures.find({ key, at: { $gt: since } }).sort({ at: -1 }).limit(limit).select({ at: 1 }).lean();
    if (recent.length < limit) continue;
    // Locked until the oldest of the last `limit` failures leaves the window.
    const until = recent[limit - 1]!.at.getTime() + LOGIN_WINDOW_MS;
    const waitMs = until - now.getTime();
    throw new RateLimitedError(
      `Too many failed sign-ins for ${what}. Try again in ${minutes(waitMs)} (at ${new Date(until).toISOString().slice(11, 16)} UTC), or reset your password.`,
      Math.ceil(waitMs / 1000),
      "auth.locked_out",
    );
  }
}

export async function recordLoginFailure(connection: Connection, attempt: LoginAttempt, now: Date = new Date()): Promise<void> {
  const expiresAt = new Date(now.getTime() + LOGIN_WINDOW_MS);
  await loginFailureModel(connection).insertMany(keysOf(attempt).map(({ key }) => ({ key, at: now, expiresAt })));
}

/** A successful sign-in forgives the account's failures (not the address's). */
export async function clearLoginFailures(connection: Connection, email: string): Promise<void> {
  await loginFailureModel(connection).deleteMany({ key: `account:${email.trim().toLowerCase()}` });
}
