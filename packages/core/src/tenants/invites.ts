import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { InviteRequest } from "@tandem/client/contract";
import { claimOnce, isDuplicateKeyError, withLease } from "../database/index.js";
import { ConflictError, ForbiddenError, NotFoundError, parseInput, UnauthenticatedError } from "../errors/index.js";
import { userModel, withUserRecord } from "../identity/model.js";
import { digestToken, newSecretToken } from "../identity/secret-token.js";
import { runAsSystem, tenantScoped, withTenant } from "../tenancy/index.js";
import { withinMemberLimit } from "../tiers/index.js";
import { membershipModel, ROLES, type Role } from "./membership.js";
import { tenantModel } from "./model.js";
import type { Organisation } from "./organisations.js";

/** A week: long enough for someone on holiday, short enough that old links die. */
export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const inviteSchema = new Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true },
    role: { type: String, enum: ROLES, required: true },
    invitedBy: { type: Schema.Types.ObjectId, required: true },
    hash: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    acceptedAt: { type: Date, default: null },
    acceptedBy: { type: Schema.Types.ObjectId, default: null },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: "invites" },
);
inviteSchema.plugin(tenantScoped);
inviteSchema.index({ hash: 1 }, { unique: true, name: "hash_unique" });
inviteSchema.index({ tenantId: 1, email: 1 }, { name: "tenant_email" });
inviteSchema.index({ expiresAt: 1 }, { name: "expiresAt_1" });

type InviteDocument = InferSchemaType<typeof inviteSchema> & { tenantId: unknown; _id: unknown };

export function inviteModel(connection: Connection): Model<InviteDocument> {
  return (connection.models.Invite as Model<InviteDocument> | undefined) ?? connection.model<InviteDocument>("Invite", inviteSchema);
}

/** The contract's schema: the address (NFC, trimmed, lower-cased) and the role (default member). */
export const InviteInput = InviteRequest;

export interface Invite {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly expiresAt: Date;
  readonly createdAt: Date;
}

const toInvite = (doc: InviteDocument): Invite => ({ id: String(doc._id), email: doc.email, role: doc.role, expiresAt: doc.expiresAt, createdAt: doc.createdAt });

/** Invites an address; an earlier open invite to it is replaced. Only owners invite owners. */
export async function createInvite(
  connection: Connection,
  tenantId: string,
  actor: { userId: string; role: Role },
  input: unknown,
  now: Date = new Date(),
): Promise<{ invite: Invite; token: string }> {
  const data = parseInput(InviteInput, input, "invitation details");
  if (data.role === "owner" && actor.role !== "owner") throw new ForbiddenError("Only an owner can invite another owner. Invite them as admin, or ask an owner.", "organisation.role_required");
  const user = await userModel(connection).findOne({ email: data.email }).lean();
  // Replace-then-create spans two writes; under the address's lease concurrent invitations run
  // one after the other, so exactly one stays open.
  return withLease(
    connection,
    `invite:${tenantId}:${data.email}`,
    () =>
      withTenant(tenantId, async () => {
        if (user && (await membershipModel(connection).exists({ userId: user._id }))) {
          throw new ConflictError(`${data.email} is already a member of this organisation.`, "invite.already_member");
        }
        const invites = inviteModel(connection);
        await invites.updateMany({ email: data.email, acceptedAt: null, revokedAt: null }, { $set: { revokedAt: now } });
        const token = newSecretToken();
        const doc = await invites.create({ email: data.email, role: data.role, invitedBy: actor.userId, hash: digestToken(token), expiresAt: new Date(now.getTime() + INVITE_TTL_MS) });
        return { invite: toInvite(doc.toObject()), token };
      }),
    { what: `The invitation to ${data.email}` },
  );
}

export async function listInvites(connection: Connection, tenantId: string, now: Date = new Date()): Promise<Invite[]> {
  const docs = await withTenant(tenantId, () =>
    inviteModel(connection)
      .find({ acceptedAt: null, revokedAt: null, expiresAt: { $gt: now } })
      .sort({ createdAt: -1 })
      .lean(),
  );
  return docs.map(toInvite);
}

export async function revokeInvite(connection: Connection, tenantId: string, inviteId: string, now: Date = new Date()): Promise<void> {
  const gone = () => new NotFoundError("This invitation does not exist or was already used or revoked. Reload the list.", "invite.not_found");
  if (!/^[0-9a-f]{24}$/i.test(inviteId)) throw gone();
  const result = await withTenant(tenantId, () => inviteModel(connection).updateOne({ _id: inviteId, acceptedAt: null, revokedAt: null }, { $set: { revokedAt: now } }));
  if (result.matchedCount === 0) throw gone();
}

export interface InvitePreview {
  readonly organisation: { readonly id: string; readonly name: string };
  readonly email: string;
  readonly role: Role;
  readonly invitedBy: string;
  readonly expiresAt: Date;
}

const invalidLink = () => new UnauthenticatedError("This invitation is used, revoked or expired. Ask the person who invited you for a new one.", "invite.link_invalid");

/** Finds an open invite by its link; the link itself names the tenant, so this crosses tenants. */
async function openInvite(connection: Connection, token: string, now: Date) {
  const invite = await runAsSystem("look up an invitation by its link", () =>
    inviteModel(connection)
      .findOne({ hash: digestToken(token), acceptedAt: null, revokedAt: null, expiresAt: { $gt: now } })
      .lean(),
  );
  if (!invite) throw invalidLink();
  const tenant = await tenantModel(connection).findById(invite.tenantId).lean();
  if (!tenant || tenant.status !== "active") throw invalidLink();
  return { invite, tenant };
}

/** What the accept page shows before anyone signs in. */
export async function previewInvite(connection: Connection, token: string, now: Date = new Date()): Promise<InvitePreview> {
  const { invite, tenant } = await openInvite(connection, token, now);
  const inviter = await userModel(connection).findById(invite.invitedBy).lean();
  return { organisation: { id: String(tenant._id), name: tenant.name }, email: invite.email, role: invite.role, invitedBy: inviter?.name ?? "A member", expiresAt: invite.expiresAt };
}

/**
 * Accepts an invite for the signed-in account, once. The account's email must be the invited
 * address; the link reached that inbox, so an unverified address becomes verified.
 */
export async function acceptInvite(connection: Connection, token: string, userId: string, now: Date = new Date()): Promise<Organisation> {
  const { invite, tenant } = await openInvite(connection, token, now);
  const user = await userModel(connection).findById(userId).lean();
  if (!user) throw new UnauthenticatedError("Sign in to accept the invitation.", "account.missing");
  if (user.email !== invite.email) {
    throw new ForbiddenError(`This invitation is for ${invite.email}, and you are signed in as ${user.email}. Sign in as ${invite.email} (or sign up with it) to accept.`, "invite.wrong_account");
  }
  const tenantId = String(tenant._id);
  const join = async () => {
    if (!(await claimOnce(connection, "invite_uses", invite.hash, now))) throw invalidLink();
    await withTenant(tenantId, async () => {
      try {
        await membershipModel(connection).create({ userId, role: invite.role });
      } catch (error) {
        // Already a member (joined another way meanwhile): the invite is simply used up.
        if (!isDuplicateKeyError(error)) throw error;
      }
      await inviteModel(connection).updateOne({ _id: invite._id }, { $set: { acceptedAt: now, acceptedBy: userId } });
    });
  };
  // A member already takes no new place; anyone else joins only if the tier has room (the invite stays usable if not).
  const member = await withTenant(tenantId, () => membershipModel(connection).exists({ userId }));
  await (member ? join() : withinMemberLimit(connection, tenantId, join));
  if (!user.emailVerifiedAt) await withUserRecord(connection, userId, () => userModel(connection).updateOne({ _id: userId }, { $set: { emailVerifiedAt: now } }));
  const role = (await withTenant(tenantId, () => membershipModel(connection).findOne({ userId }).lean()))?.role ?? invite.role;
  return { id: tenantId, slug: tenant.slug, name: tenant.name, role };
}
