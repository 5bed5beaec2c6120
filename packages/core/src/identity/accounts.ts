import type { Connection } from "mongoose";
import { z } from "zod";
import { isDuplicateKeyError } from "../database/index.js";
import { ConflictError, InvalidInputError, parseInput, UnauthenticatedError } from "../errors/index.js";
import { userModel } from "./model.js";
import { burnPasswordCheck, hashPassword, needsRehash, Password, verifyPassword } from "./password.js";
import { consumeToken, issueToken } from "./tokens.js";

// A verification link may sit in an inbox over a weekend; a reset link is a live credential.
export const VERIFY_EMAIL_TTL_MS = 48 * 60 * 60 * 1000;
export const RESET_PASSWORD_TTL_MS = 30 * 60 * 1000;

const Email = z.string().trim().toLowerCase().email("Enter an email address such as ada@example.com").max(254);

export const SignUpInput = z.object({
  email: Email,
  name: z.string().trim().min(1, "Tell us your name").max(120),
  password: Password,
});
export const SignInInput = z.object({ email: Email, password: z.string().min(1, "Enter your password").max(256) });

export interface Account {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly emailVerified: boolean;
}

function toAccount(doc: { _id: unknown; email: string; name: string; emailVerifiedAt?: Date | null }): Account {
  return { id: String(doc._id), email: doc.email, name: doc.name, emailVerified: Boolean(doc.emailVerifiedAt) };
}

/** Creates an unverified account and the token for its verification mail. */
export async function signUp(connection: Connection, input: z.input<typeof SignUpInput>): Promise<{ account: Account; verifyToken: string }> {
  const data = parseInput(SignUpInput, input, "sign-up details");
  if (data.password.toLowerCase() === data.email) throw new InvalidInputError("Choose a password that is not your email address.", [{ name: "password", message: "must differ from the email" }]);
  try {
    const user = await userModel(connection).create({ email: data.email, name: data.name, passwordHash: await hashPassword(data.password) });
    const verifyToken = await issueToken(connection, { userId: user._id, purpose: "verify_email", ttlMs: VERIFY_EMAIL_TTL_MS });
    return { account: toAccount(user), verifyToken };
  } catch (error) {
    if (isDuplicateKeyError(error)) throw new ConflictError("An account with this email already exists. Sign in, or reset your password if you forgot it.", "account.email_taken");
    throw error;
  }
}

export async function verifyEmail(connection: Connection, token: string): Promise<Account> {
  const userId = await consumeToken(connection, token, "verify_email");
  if (!userId) throw new UnauthenticatedError("This confirmation link is used or expired. Sign in to get a new one.", "account.verify_link_invalid");
  return updateUser(connection, userId, { emailVerifiedAt: new Date() });
}

/**
 * updateOne, then read: findOneAndUpdate on users would carry a projection (passwordHash is
 * never selected), and FerretDB v1 does not support projections in findAndModify.
 */
async function updateUser(connection: Connection, userId: string, set: Record<string, unknown>): Promise<Account> {
  const users = userModel(connection);
  await users.updateOne({ _id: userId }, { $set: set });
  const user = await users.findById(userId).lean();
  if (!user) throw new UnauthenticatedError("This account no longer exists.", "account.missing");
  return toAccount(user);
}

/** Checks a password; unknown emails and wrong passwords get the same answer in the same time. */
export async function signIn(connection: Connection, input: z.input<typeof SignInInput>): Promise<Account> {
  const data = parseInput(SignInInput, input, "sign-in details");
  const users = userModel(connection);
  const user = await users.findOne({ email: data.email, status: "active" }).select("+passwordHash").lean();
  if (!user?.passwordHash) {
    await burnPasswordCheck(data.password);
    throw new UnauthenticatedError("The email or password is not right. Check both, or reset your password.", "auth.invalid_credentials");
  }
  if (!(await verifyPassword(user.passwordHash, data.password))) {
    throw new UnauthenticatedError("The email or password is not right. Check both, or reset your password.", "auth.invalid_credentials");
  }
  if (needsRehash(user.passwordHash)) await users.updateOne({ _id: user._id }, { $set: { passwordHash: await hashPassword(data.password) } });
  return toAccount(user);
}

/** Returns a reset token for a known address, undefined otherwise; callers answer the same either way. */
export async function requestPasswordReset(connection: Connection, email: string): Promise<{ account: Account; token: string } | undefined> {
  const address = Email.safeParse(email);
  if (!address.success) return undefined;
  const user = await userModel(connection).findOne({ email: address.data, status: "active" }).lean();
  if (!user) return undefined;
  return { account: toAccount(user), token: await issueToken(connection, { userId: user._id, purpose: "reset_password", ttlMs: RESET_PASSWORD_TTL_MS }) };
}

export async function resetPassword(connection: Connection, token: string, newPassword: string): Promise<Account> {
  const password = parseInput(z.object({ password: Password }), { password: newPassword }, "new password details").password;
  const userId = await consumeToken(connection, token, "reset_password");
  if (!userId) throw new UnauthenticatedError("This reset link is used or expired. Ask for a new one.", "account.reset_link_invalid");
  // Reaching the inbox proves the address, so a reset also verifies it.
  return updateUser(connection, userId, { passwordHash: await hashPassword(password), emailVerifiedAt: new Date() });
}
