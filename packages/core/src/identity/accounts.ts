import type { Connection } from "mongoose";
import { ChangeEmailRequest, ChangePasswordRequest, Email, SignInRequest, SignUpRequest } from "@tandem/client/contract";
import { z } from "zod";
import { claimOnce, isDuplicateKeyError, withLease } from "../database/index.js";
import { ConflictError, ForbiddenError, InvalidInputError, parseInput, UnauthenticatedError } from "../errors/index.js";
import { userModel, withUserRecord } from "./model.js";
import { burnPasswordCheck, hashPassword, needsRehash, Password, verifyPassword } from "./password.js";
import { endAllSessions } from "./sessions.js";
import { clearLoginFailures, reserveLoginAttempt } from "./throttle.js";
import { consumeToken, issueToken, revokeTokens } from "./tokens.js";

// A verification link may sit in an inbox over a weekend; a reset link is a live credential.
export const VERIFY_EMAIL_TTL_MS = 48 * 60 * 60 * 1000;
export const RESET_PASSWORD_TTL_MS = 30 * 60 * 1000;
export const CHANGE_EMAIL_TTL_MS = 24 * 60 * 60 * 1000;

// The API contract's schemas, so the routes, the OpenAPI document and the domain apply one rule:
// emails are NFC, trimmed and lower-cased; names refuse control and text-direction characters.
export { Email };
export const SignUpInput = SignUpRequest;
export const SignInInput = SignInRequest;

export const ChangePasswordInput = ChangePasswordRequest;
export const ChangeEmailInput = ChangeEmailRequest;

export interface Account {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly emailVerified: boolean;
  /** False for accounts made through Google, GitHub or Okta that never set a password. */
  readonly hasPassword: boolean;
  readonly currentOrganisationId: string | null;
  /** The theme the person chose; null when they have not (the operator's DEFAULT_THEME applies). */
  readonly theme: Theme | null;
}

export const THEMES = ["light", "dark", "system"] as const;
export type Theme = (typeof THEMES)[number];

type UserLike = { _id: unknown; email: string; name: string; emailVerifiedAt?: Date | null; passwordHash?: string | null; hasPassword?: boolean; currentTenantId?: unknown; theme?: string | null };

export function toAccount(doc: UserLike): Account {
  return {
    id: String(doc._id),
    email: doc.email,
    name: doc.name,
    emailVerified: Boolean(doc.emailVerifiedAt),
    hasPassword: doc.hasPassword ?? Boolean(doc.passwordHash),
    currentOrganisationId: doc.currentTenantId ? String(doc.currentTenantId) : null,
    theme: (THEMES as readonly string[]).includes(doc.theme ?? "") ? (doc.theme as Theme) : null,
  };
}

/** Creates an unverified account and the token for its verification mail. */
export async function signUp(connection: Connection, input: z.input<typeof SignUpInput>): Promise<{ account: Account; verifyToken: string }> {
  const data = parseInput(SignUpInput, input, "sign-up details");
  if (data.password.toLowerCase() === data.email) throw new InvalidInputError("Choose a password that is not your email address.", [{ name: "password", message: "must differ from the email" }]);
  try {
    const user = await userModel(connection).create({ email: data.email, name: data.name, passwordHash: await hashPassword(data.password), hasPassword: true });
    const verifyToken = await issueToken(connection, { userId: user._id, purpose: "verify_email", ttlMs: VERIFY_EMAIL_TTL_MS });
    return { account: toAccount(user), verifyToken };
  } catch (error) {
    if (isDuplicateKeyError(error)) throw new ConflictError("An account with this email already exists. Sign in, or reset your password if you forgot it.", "account.email_taken");
    throw error;
  }
}

export async function verifyEmail(connection: Connection, token: string): Promise<Account> {
  const { userId } = (await consumeToken(connection, token, "verify_email")) ?? {};
  if (!userId) throw new UnauthenticatedError("This confirmation link is used or expired. Sign in to get a new one.", "account.verify_link_invalid");
  return updateUser(connection, userId, { emailVerifiedAt: new Date() });
}

/**
 * updateOne, then read: findOneAndUpdate on users would carry a projection (passwordHash is
 * never selected), and FerretDB v1 does not support projections in findAndModify.
 */
async function updateUser(connection: Connection, userId: string, set: Record<string, unknown>): Promise<Account> {
  const users = userModel(connection);
  await withUserRecord(connection, userId, () => users.updateOne({ _id: userId }, { $set: set }));
  const user = await users.findById(userId).lean();
  if (!user) throw new UnauthenticatedError("This account no longer exists.", "account.missing");
  return toAccount(user);
}

/**
 * Checks a password; unknown emails and wrong passwords get the same answer in the same time.
 * Failures count towards the lock-out of the account and of the client's address.
 */
export async function signIn(connection: Connection, input: z.input<typeof SignInInput>, context: { ip?: string; now?: Date } = {}): Promise<Account> {
  const data = parseInput(SignInInput, input, "sign-in details");
  const attempt = { email: data.email, ip: context.ip };
  // Counted as a failure before the check, so simultaneous guesses cannot all be checked.
  const reservation = await reserveLoginAttempt(connection, attempt, context.now);
  const users = userModel(connection);
  const user = await users.findOne({ email: data.email, status: "active" }).select("+passwordHash").lean();
  const ok = user?.passwordHash ? await verifyPassword(user.passwordHash, data.password) : await burnPasswordCheck(data.password);
  if (!user?.passwordHash || !ok) {
    throw new UnauthenticatedError("The email or password is not right. Check both, or reset your password.", "auth.invalid_credentials");
  }
  await reservation.succeeded();
  if (!user.emailVerifiedAt) {
    throw new ForbiddenError(`Confirm your email address first: open the link we sent to ${user.email}, or ask for a new one.`, "account.unverified");
  }
  if (needsRehash(user.passwordHash)) {
    const passwordHash = await hashPassword(data.password);
    await withUserRecord(connection, user._id, () => users.updateOne({ _id: user._id }, { $set: { passwordHash } }));
  }
  return toAccount(user);
}

/**
 * At most this many reset (or confirmation) links are mailed to one account per hour, however
 * many times someone asks: nobody can mail-bomb an address through Tandem. The callers answer the
 * same either way, and the limit is applied after the answer (in the jobs queue), so it reveals nothing.
 */
export const MAILED_LINKS_PER_HOUR = 5;
/** The claimOnce collection of the hourly slots (purged by housekeeping with the other claims). */
export const MAILED_LINK_SLOTS = "mailed_link_slots";

/**
 * One of the hour's slots for a mailed link, taken with claimOnce (a unique insert), so of any
 * number of simultaneous requests exactly the first MAILED_LINKS_PER_HOUR get a link.
 */
async function issueMailedLink(connection: Connection, userId: unknown, purpose: "reset_password" | "verify_email", ttlMs: number): Promise<string | undefined> {
  const now = new Date();
  const hour = Math.floor(now.getTime() / 3_600_000);
  for (let slot = 1; slot <= MAILED_LINKS_PER_HOUR; slot++) {
    if (await claimOnce(connection, MAILED_LINK_SLOTS, `${String(userId)}:${purpose}:${hour}:${slot}`, now)) {
      return issueToken(connection, { userId: userId as string, purpose, ttlMs, now });
    }
  }
  return undefined;
}

/** Returns a reset token for a known address, undefined otherwise (or past the hourly limit); callers answer the same either way. */
export async function requestPasswordReset(connection: Connection, email: string): Promise<{ account: Account; token: string } | undefined> {
  const address = Email.safeParse(email);
  if (!address.success) return undefined;
  const user = await userModel(connection).findOne({ email: address.data, status: "active" }).lean();
  if (!user) return undefined;
  const token = await issueMailedLink(connection, user._id, "reset_password", RESET_PASSWORD_TTL_MS);
  return token ? { account: toAccount(user), token } : undefined;
}

/** A new confirmation link for an unconfirmed address, undefined otherwise (or past the hourly limit); callers answer the same either way. */
export async function requestVerification(connection: Connection, email: string): Promise<{ account: Account; token: string } | undefined> {
  const address = Email.safeParse(email);
  if (!address.success) return undefined;
  const user = await userModel(connection).findOne({ email: address.data, status: "active", emailVerifiedAt: null }).lean();
  if (!user) return undefined;
  const token = await issueMailedLink(connection, user._id, "verify_email", VERIFY_EMAIL_TTL_MS);
  return token ? { account: toAccount(user), token } : undefined;
}

export async function resetPassword(connection: Connection, token: string, newPassword: string): Promise<Account> {
  const password = parseInput(z.object({ password: Password }), { password: newPassword }, "new password details").password;
  const invalid = () => new UnauthenticatedError("This reset link is used, expired or replaced by a newer one. Ask for a new one.", "account.reset_link_invalid");
  const claim = await consumeToken(connection, token, "reset_password");
  if (!claim) throw invalid();
  // A link issued before the password last changed (a newer link was used, or the password was
  // changed in settings) is dead, even if it was never clicked. Two links used at the same moment
  // run one after the other under the account's lease: the second finds the password changed.
  const account = await withLease(
    connection,
    `password:${claim.userId}`,
    async () => {
      const user = await userModel(connection).findById(claim.userId).lean();
      if (!user || (user.passwordChangedAt && claim.issuedAt.getTime() < user.passwordChangedAt.getTime())) throw invalid();
      // Reaching the inbox proves the address, so a reset also verifies it. Whoever knew the old
      // password is signed out everywhere, and the account's lock-out is lifted.
      return setPassword(connection, claim.userId, password, { emailVerifiedAt: new Date() });
    },
    { what: "This account's password" },
  );
  await clearLoginFailures(connection, account.email);
  return account;
}

export async function getAccount(connection: Connection, userId: string): Promise<Account> {
  const user = await userModel(connection).findOne({ _id: userId, status: "active" }).lean();
  if (!user) throw new UnauthenticatedError("This account no longer exists or is disabled. Sign in again.", "account.missing");
  return toAccount(user);
}

export async function renameAccount(connection: Connection, userId: string, name: unknown): Promise<Account> {
  const data = parseInput(z.object({ name: SignUpInput.shape.name }), { name }, "account details");
  return updateUser(connection, userId, { name: data.name });
}

/** Sets the theme the person chose (light, dark or system); null goes back to the operator's default. */
export async function setTheme(connection: Connection, userId: string, theme: unknown): Promise<Account> {
  const data = parseInput(z.object({ theme: z.enum(THEMES).nullable() }), { theme }, "theme");
  return updateUser(connection, userId, { theme: data.theme });
}

/** Sets the organisation the user works in; the caller checks the membership first. */
export function setCurrentTenant(connection: Connection, userId: string, tenantId: string | null): Promise<Account> {
  return updateUser(connection, userId, { currentTenantId: tenantId });
}

export async function checkPassword(connection: Connection, userId: string, password: string): Promise<void> {
  const user = await userModel(connection).findById(userId).select("+passwordHash").lean();
  if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, password))) {
    throw new InvalidInputError("Your current password is not right. Enter it again, or sign out and reset it.", [{ name: "currentPassword", message: "does not match" }], "account.wrong_password");
  }
}

/** Sets a password: every earlier reset link stops working and every session ends. */
async function setPassword(connection: Connection, userId: string, password: string, extra: Record<string, unknown> = {}): Promise<Account> {
  const now = new Date();
  const account = await updateUser(connection, userId, { passwordHash: await hashPassword(password), hasPassword: true, passwordChangedAt: now, ...extra });
  await revokeTokens(connection, userId, "reset_password", now);
  await endAllSessions(connection, userId);
  return account;
}

/**
 * Changes the password and ends every session of the account; the caller starts a new one for
 * the device the change was made on.
 */
export async function changePassword(connection: Connection, userId: string, input: z.input<typeof ChangePasswordInput>): Promise<Account> {
  const data = parseInput(ChangePasswordInput, input, "password details");
  await checkPassword(connection, userId, data.currentPassword);
  return setPassword(connection, userId, data.newPassword);
}

/** Starts a change of address: the new address gets a link; nothing changes until it is used. */
export async function requestEmailChange(connection: Connection, userId: string, input: z.input<typeof ChangeEmailInput>): Promise<{ account: Account; email: string; token: string }> {
  const data = parseInput(ChangeEmailInput, input, "new email details");
  await checkPassword(connection, userId, data.password);
  const account = await getAccount(connection, userId);
  if (account.email === data.email) throw new InvalidInputError("This is already your email address.", [{ name: "email", message: "unchanged" }], "account.email_unchanged");
  if (await userModel(connection).exists({ email: data.email })) {
    throw new ConflictError("Another account uses this email address. Choose another one.", "account.email_taken");
  }
  const token = await issueToken(connection, { userId, purpose: "change_email", email: data.email, ttlMs: CHANGE_EMAIL_TTL_MS });
  return { account, email: data.email, token };
}

export async function confirmEmailChange(connection: Connection, token: string): Promise<Account> {
  const claim = await consumeToken(connection, token, "change_email");
  if (!claim?.email) throw new UnauthenticatedError("This link is used or expired. Ask for the change again in your account settings.", "account.change_email_link_invalid");
  try {
    return await updateUser(connection, claim.userId, { email: claim.email, emailVerifiedAt: new Date() });
  } catch (error) {
    if (isDuplicateKeyError(error)) throw new ConflictError("Another account took this email address meanwhile. Choose another one.", "account.email_taken");
    throw error;
  }
}
