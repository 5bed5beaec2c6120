import type { Connection } from "mongoose";
import { Email } from "@tandem/client/contract";
import { isDuplicateKeyError } from "../database/index.js";
import { parseInput } from "../errors/index.js";
import { toAccount, type Account } from "../identity/accounts.js";
import { identityModel } from "../identity/external.js";
import { userModel } from "../identity/model.js";
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
  const address = parseInput(Email, email, "operator's email address");
  const users = userModel(connection);
  let created = false;
  // (updateOne, then a read: FerretDB v1's findAndModify takes no projection, and the password hash is never selected.)
  const promote = async () => {
    const existing = await users.findOne({ email: address }).lean();
    if (!existing) return null;
    if (!existing.emailVerifiedAt) {
      await users.updateOne({ _id: existing._id }, { $set: { hasPassword: false }, $unset: { passwordHash: 1 } });
      await identityModel(connection).deleteMany({ userId: existing._id });
      await endAllSessions(connection, String(existing._id), now);
    }
    await users.updateOne({ _id: existing._id }, { $set: { systemRole: "operator" } });
    return users.findById(existing._id).lean();
  };
  let user = await promote();
  if (!user) {
    try {
      user = (await users.create({ email: address, name: address.split("@")[0]!, systemRole: "operator" })).toObject();
      created = true;
    } catch (error) {
      // Created meanwhile by a sign-up or a second run: make that account the operator.
      if (!isDuplicateKeyError(error)) throw error;
      user = await promote();
    }
  }
  // A reset link: following it sets the password and confirms the address.
  const token = await issueToken(connection, { userId: String(user!._id), purpose: "reset_password", ttlMs: OPERATOR_LINK_TTL_MS, now });
  return { account: toAccount(user!), created, token };
}

/** Whether this account is an operator (and active). */
export async function isOperator(connection: Connection, userId: string): Promise<boolean> {
  if (!/^[0-9a-f]{24}$/i.test(userId)) return false;
  return Boolean(await userModel(connection).exists({ _id: userId, systemRole: "operator", status: "active" }));
}
