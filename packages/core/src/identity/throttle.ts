import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
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
    // The sign-in attempt that reserved this slot (reserveLoginAttempt); absent for old records.
    attemptId: { type: String },
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

/** The eight 16-bit groups of an IPv6 address (with an embedded IPv4 tail), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase().replace(/^\[|\]$/g, "").split("%")[0]!;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array.from({ length: halves.length === 2 ? missing : 0 }, () => "0"), ...tail].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/**
 * What the per-address count is kept under: an IPv4 address as it is (also when written as an
 * IPv4-mapped IPv6 address, ::ffff:a.b.c.d), and an IPv6 address by its /64, the block one host
 * or home usually has (one /64 holds 2^64 addresses: counting each apart would count nothing).
 */
export function addressKey(address: string): string {
  if (isIP(address) === 4) return address;
  const groups = ipv6Groups(address);
  if (!groups) return address;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join(".");
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}

const keysOf = (attempt: LoginAttempt) => [
  { key: `account:${attempt.email.trim().toLowerCase()}`, limit: ACCOUNT_FAILURE_LIMIT, what: "this account" },
  ...(attempt.ip ? [{ key: `ip:${addressKey(attempt.ip)}`, limit: ADDRESS_FAILURE_LIMIT, what: "your network address" }] : []),
];

function minutes(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return m === 1 ? "1 minute" : `${m} minutes`;
}

function lockedOut(what: string, until: number, now: Date): RateLimitedError {
  const waitMs = Math.max(0, until - now.getTime());
  return new RateLimitedError(
    `Too many failed sign-ins for ${what}. Try again in ${minutes(waitMs)} (at ${new Date(until).toISOString().slice(11, 16)} UTC), or reset your password.`,
    Math.max(1, Math.ceil(waitMs / 1000)),
    "auth.locked_out",
  );
}

/** Locked until the oldest of the last `limit` failures leaves the window. */
async function lockedUntil(connection: Connection, key: string, limit: number, now: Date, exceptAttempt?: string): Promise<number | undefined> {
  const since = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const recent = await loginFailureModel(connection)
    .find({ key, at: { $gt: since }, ...(exceptAttempt ? { attemptId: { $ne: exceptAttempt } } : {}) })
    .sort({ at: -1 })
    .limit(limit)
    .select({ at: 1 })
    .lean();
  return recent.length < limit ? undefined : recent[limit - 1]!.at.getTime() + LOGIN_WINDOW_MS;
}

/** Throws RateLimitedError, saying when to retry, if the account or the address is locked out. */
export async function assertLoginAllowed(connection: Connection, attempt: LoginAttempt, now: Date = new Date()): Promise<void> {
  for (const { key, limit, what } of keysOf(attempt)) {
    const until = await lockedUntil(connection, key, limit, now);
    if (until !== undefined) throw lockedOut(what, until, now);
  }
}

export interface LoginReservation {
  /** The password was right: the slot is given back and the account's failures are forgiven. */
  succeeded(): Promise<void>;
}

/**
 * Reserves a slot for one password check, atomically on every engine: the attempt is recorded as
 * a failure first (an insert), then the failures in the window are counted, its own included.
 * Of any number of simultaneous attempts the n-th to insert counts at least n, so no more than
 * the limit are ever checked. A refused attempt gives its slot back at once (it checked nothing);
 * a wrong password keeps it; a right one gives it back.
 */
export async function reserveLoginAttempt(connection: Connection, attempt: LoginAttempt, now: Date = new Date()): Promise<LoginReservation> {
  const failures = loginFailureModel(connection);
  const attemptId = randomUUID();
  const expiresAt = new Date(now.getTime() + LOGIN_WINDOW_MS);
  const since = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const keys = keysOf(attempt);
  await failures.insertMany(keys.map(({ key }) => ({ key, at: now, expiresAt, attemptId })));
  try {
    for (const { key, limit, what } of keys) {
      const counted = await failures.countDocuments({ key, at: { $gt: since } });
      if (counted <= limit) continue;
      // Past the limit: say when the oldest failure that locks it leaves the window (another
      // attempt still in flight counts too; then a minute is a fair guess).
      const until = (await lockedUntil(connection, key, limit, now, attemptId)) ?? now.getTime() + 60_000;
      throw lockedOut(what, until, now);
    }
  } catch (error) {
    await failures.deleteMany({ attemptId });
    throw error;
  }
  return {
    async succeeded() {
      await failures.deleteMany({ attemptId });
      await clearLoginFailures(connection, attempt.email);
    },
  };
}

export async function recordLoginFailure(connection: Connection, attempt: LoginAttempt, now: Date = new Date()): Promise<void> {
  const expiresAt = new Date(now.getTime() + LOGIN_WINDOW_MS);
  await loginFailureModel(connection).insertMany(keysOf(attempt).map(({ key }) => ({ key, at: now, expiresAt })));
}

/** A successful sign-in forgives the account's failures (not the address's). */
export async function clearLoginFailures(connection: Connection, email: string): Promise<void> {
  await loginFailureModel(connection).deleteMany({ key: `account:${email.trim().toLowerCase()}` });
}
