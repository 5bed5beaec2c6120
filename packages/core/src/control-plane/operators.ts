import type { Connection } from "mongoose";
import { Email } from "@tandem/client/contract";
import { isDuplicateKeyError } from "../database/index.js";
import { parseInput } from "../errors/index.js";
import { toAccount, type Account } from "../identity/accounts.js";
import { userModel } from "../identity/model.js";
import { issueToken } from "../identity/tokens.js";

/** How long the first operator's set-password link works: a new stage's operator may not read mail at once. */
export const OPERATOR_LINK_TTL_MS = 72 * 60 * 60 * 1000;

/**
 * Makes the person with this address an operator (a role above organisations), creating the
 * account if there is none, and returns a set-password link's token for the mail. Run by
 * `pnpm tandem admin create`; an existing account keeps its password and sessions.
 */
export async function createOperator(connection: Connection, email: string, now: Date = new Date()): Promise<{ account: Account; created: boolean; token: string }> {
  const address = parseInput(Email, email, "operator's email address");
  const users = userModel(connection);
  let created = false;
  // (updateOne, then a read: FerretDB v1's findAndModify takes no projection, and the password hash is never selected.)
  const promote = async () => ((await users.updateOne({ email: address }, { $set: { systemRole: "operator" } })).matchedCount ? users.findOne({ email: address }).lean() : null);
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
