import type { Connection } from "mongoose";
import { Email } from "@tandem/client/contract";
import { isDuplicateKeyError, withLease } from "../database/index.js";
import { ConflictError, NotFoundError, parseInput } from "../errors/index.js";
import { toAccount, type Account } from "../identity/accounts.js";
import { identityModel } from "../identity/external.js";
import { userModel, withUserRecord } from "../identity/model.js";
import { endAllSessions } from "../identity/sessions.js";
import { issueToken } from "../identity/tokens.js";

/** How long the first operator's set-password link works: a new stage's operator may not read mail at once. */
export const OPERATOR_LINK_TTL_MS = 72 * 60 * 60 * 1000;

/**
 * Makes the person with this address an operator (a role above organisations), creating the
 * account if there is none, and returns a set-password link's token for the mail. Run by
 * `pnpm tandem admin create`; an existing account keeps its password and sessions when its
 * address was confirmed. One whose address was never confirmed was not proven to be the
 * address's owner's (anyone may sign up, or sign in through a provider that has not verified the
 * address, with someone else's address): it loses its password, provider links and sessions
 * before it is promoted, so only whoever reads the mailed link gets in (pre-hijacking).
 */
export async function createOperator(connection: Connection, email: string, now: Date = new Date()): Promise<{ account: Account; created: boolean; token: string }> {
  const { user, created } = await claimAccount(connection, email, { systemRole: "operator" }, now);
  // A reset link: following it sets the password and confirms the address.
  const token = await issueToken(connection, { userId: String(user._id), purpose: "reset_password", ttlMs: OPERATOR_LINK_TTL_MS, now });
  return { account: toAccount(user), created, token };
}

/**
 * The account of an address an operator names (an operator, or a person added to an
 * organisation): created without a password if there is none; an existing one whose address was
 * never confirmed loses its password, provider links and sessions first (see createOperator).
 * `set` is written on it either way.
 */
export async function claimAccount(connection: Connection, email: string, set: Record<string, unknown>, now: Date = new Date(), name?: string) {
  const address = parseInput(Email, email, "email address");
  const users = userModel(connection);
  // (updateOne, then a read: FerretDB v1's findAndModify takes no projection, and the password hash is never selected.)
  const claim = async () => {
    const existing = await users.findOne({ email: address }).lean();
    if (!existing) return null;
    if (!existing.emailVerifiedAt) {
      await withUserRecord(connection, existing._id, () => users.updateOne({ _id: existing._id }, { $set: { hasPassword: false }, $unset: { passwordHash: 1 } }));
      await identityModel(connection).deleteMany({ userId: existing._id });
      await endAllSessions(connection, String(existing._id), now);
    }
    if (Object.keys(set).length) await withUserRecord(connection, existing._id, () => users.updateOne({ _id: existing._id }, { $set: set }));
    return users.findById(existing._id).lean();
  };
  const user = await claim();
  if (user) return { user, created: false };
  try {
    return { user: (await users.create({ email: address, name: name ?? address.split("@")[0]!, ...set })).toObject(), created: true };
  } catch (error) {
    // Created meanwhile by a sign-up or a second run: claim that account.
    if (!isDuplicateKeyError(error)) throw error;
    return { user: (await claim())!, created: false };
  }
}

/** Whether this account is an operator (and active). */
export async function isOperator(connection: Connection, userId: string): Promise<boolean> {
  if (!/^[0-9a-f]{24}$/i.test(userId)) return false;
  return Boolean(await userModel(connection).exists({ _id: userId, systemRole: "operator", status: "active" }));
}

export interface Operator {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly status: string;
  readonly createdAt: string;
}

export async function listOperators(connection: Connection): Promise<Operator[]> {
  const docs = await userModel(connection).find({ systemRole: "operator" }).sort({ _id: 1 }).limit(500).lean();
  return docs.map((u) => ({ userId: String(u._id), email: u.email, name: u.name, status: u.status, createdAt: (u.createdAt ?? new Date(0)).toISOString() }));
}

/**
 * Takes the operator role away (the account stays). The last active operator cannot be removed:
 * the installation would have no one to run it. Under a lease, so two operators removing each
 * other at once leave one.
 */
export async function removeOperator(connection: Connection, userId: string): Promise<void> {
  if (!/^[0-9a-f]{24}$/i.test(userId)) throw new NotFoundError("There is no operator with this id. List the operators to find it.", "control_plane.operator_not_found");
  await withLease(
    connection,
    "operators",
    async () => {
      const users = userModel(connection);
      if (!(await users.exists({ _id: userId, systemRole: "operator" }))) throw new NotFoundError("There is no operator with this id. List the operators to find it.", "control_plane.operator_not_found");
      const others = await users.countDocuments({ systemRole: "operator", status: "active", _id: { $ne: userId } });
      if (others === 0) throw new ConflictError("This is the last operator. Make someone else an operator first (pnpm tandem admin create --email ...).", "control_plane.last_operator");
      await withUserRecord(connection, userId, () => users.updateOne({ _id: userId }, { $set: { systemRole: null } }));
    },
    { what: "The operators" },
  );
}
