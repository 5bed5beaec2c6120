import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { Email, stripUnsafe } from "@tandem/client/contract";
import { z } from "zod";
import { isDuplicateKeyError } from "../database/index.js";
import { ForbiddenError, parseInput } from "../errors/index.js";
import { toAccount, type Account } from "./accounts.js";
import { userModel, withUserRecord } from "./model.js";
import { endAllSessions } from "./sessions.js";

export const PROVIDERS = ["google", "github", "okta"] as const;
export type Provider = (typeof PROVIDERS)[number];

export const PROVIDER_LABELS: Record<Provider, string> = { google: "Google", github: "GitHub", okta: "Okta" };

/** Which Tandem account a provider's user is: (provider, subject) is unique. */
const identitySchema = new Schema(
  {
    provider: { type: String, enum: PROVIDERS, required: true },
    subject: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    email: { type: String },
  },
  { timestamps: true, collection: "user_identities" },
);
identitySchema.index({ provider: 1, subject: 1 }, { unique: true, name: "provider_subject_unique" });
identitySchema.index({ userId: 1 }, { name: "user_1" });

type IdentityDocument = InferSchemaType<typeof identitySchema>;

export function identityModel(connection: Connection): Model<IdentityDocument> {
  return (connection.models.UserIdentity as Model<IdentityDocument> | undefined) ?? connection.model("UserIdentity", identitySchema);
}

/** What a strategy learned from the provider, normalised. */
export const ExternalProfile = z.object({
  provider: z.enum(PROVIDERS),
  subject: z.string().min(1).max(255),
  email: Email.optional(),
  /** Only a provider's explicit "verified" counts; absent means not verified. */
  emailVerified: z.boolean().default(false),
  /** A provider's display name is not typed here, so unsafe characters are removed rather than refused. */
  name: z.string().transform(stripUnsafe).pipe(z.string().max(120)).optional(),
});
export type ExternalProfile = z.input<typeof ExternalProfile>;

/**
 * Signs in with a provider's identity. A known identity signs in its account. A new identity is
 * linked to an existing account only when the provider says the email is verified; otherwise
 * it is refused (linking on an unverified address would hand the account to whoever typed it).
 * Linking onto an account whose own address was never verified drops that account's password
 * and sessions: whoever set them had not proven the mailbox (pre-hijacking).
 */
export async function signInWithProvider(connection: Connection, input: ExternalProfile): Promise<Account> {
  const profile = parseInput(ExternalProfile, input, "sign-in profile");
  const label = PROVIDER_LABELS[profile.provider];
  const identities = identityModel(connection);
  const users = userModel(connection);

  const known = await identities.findOne({ provider: profile.provider, subject: profile.subject }).lean();
  if (known) {
    const user = await users.findOne({ _id: known.userId, status: "active" }).lean();
    if (!user) throw new ForbiddenError(`The Tandem account linked to this ${label} login is disabled. Contact your organisation's admin.`, "auth.account_disabled");
    return toAccount(user);
  }

  if (!profile.email) {
    throw new ForbiddenError(`${label} did not share an email address. Allow Tandem to read your email on ${label}, then try again.`, "auth.provider_no_email");
  }
  const existing = await users.findOne({ email: profile.email }).lean();
  if (existing && !profile.emailVerified) {
    throw new ForbiddenError(
      `An account already uses ${profile.email}, and ${label} has not verified this address, so we cannot link them. Verify the address on ${label}, or sign in with your password.`,
      "auth.provider_email_unverified",
    );
  }
  if (existing && existing.status !== "active") throw new ForbiddenError("This Tandem account is disabled. Contact your organisation's admin.", "auth.account_disabled");

  let userId = existing?._id;
  if (existing && !existing.emailVerifiedAt) {
    await withUserRecord(connection, existing._id, () => users.updateOne({ _id: existing._id }, { $set: { emailVerifiedAt: new Date(), hasPassword: false }, $unset: { passwordHash: 1 } }));
    await endAllSessions(connection, String(existing._id));
  }
  if (!userId) {
    try {
      const created = await users.create({
        email: profile.email,
        name: profile.name || profile.email.split("@")[0],
        emailVerifiedAt: profile.emailVerified ? new Date() : undefined,
      });
      userId = created._id;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // Created by a concurrent login a moment ago: start over, which finds it.
      return signInWithProvider(connection, input);
    }
  }
  try {
    await identities.create({ provider: profile.provider, subject: profile.subject, userId, email: profile.email });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  const user = await users.findById(userId).lean();
  return toAccount(user!);
}

/** The providers linked to an account, for account settings. */
export async function linkedProviders(connection: Connection, userId: string): Promise<Provider[]> {
  const rows = await identityModel(connection).find({ userId }).select({ provider: 1 }).lean();
  return [...new Set(rows.map((r) => r.provider))];
}
