import { Types, type Connection } from "mongoose";
import { z } from "zod";
import { isDuplicateKeyError } from "../database/index.js";
import { ConflictError, NotFoundError, parseInput } from "../errors/index.js";
import { apiKeyModel } from "../identity/api-keys.js";
import { identityModel } from "../identity/external.js";
import { userModel, withUserRecord } from "../identity/model.js";
import { endAllSessions } from "../identity/sessions.js";
import { runAsSystem, withTenant } from "../tenancy/index.js";
import { membershipModel, ROLES, type Role } from "../tenants/membership.js";
import { tenantModel } from "../tenants/model.js";
import { changeRole, OPERATOR, removeMember, withTenantRecord } from "../tenants/organisations.js";
import { withinMemberLimit } from "../tiers/index.js";
import { DETAIL_TYPES, outboxEvent, type EventPublisher } from "./events.js";
import { publishOutbox } from "./lifecycle.js";
import { claimAccount } from "./operators.js";

/**
 * SBT-AWS's user management, on Tandem's accounts: a user is a person's account, with a role in
 * each organisation (tenant) they belong to. Operators (and clients with user/* scopes) add
 * people to tenants, change their names and roles, disable and enable them (SBT declares those
 * and leaves them unrouted) and delete them. Organisations keep an owner through all of it.
 */
export interface ControlPlaneUser {
  readonly userId: string;
  /** SBT's userName: the person's name in Tandem. */
  readonly userName: string;
  readonly email: string;
  /** The role in the tenant asked about (or in the first of their tenants); null for none. */
  readonly userRole: Role | null;
  readonly tenants: ReadonlyArray<{ tenantId: string; role: Role }>;
  /** SBT's enabled: false once disabled (no sign-in, sessions ended, API keys refused). */
  readonly enabled: boolean;
  /** CONFIRMED once the address is proven, else FORCE_CHANGE_PASSWORD (SBT's Cognito statuses). */
  readonly status: "CONFIRMED" | "FORCE_CHANGE_PASSWORD";
  readonly systemRole: string | null;
  readonly created: string;
  readonly modified: string;
}

type StoredUser = { _id: unknown; name: string; email: string; status: string; emailVerifiedAt?: Date | null; systemRole?: string | null; createdAt?: Date; updatedAt?: Date };

function toUser(u: StoredUser, memberships: ReadonlyArray<{ tenantId: unknown; role: string }>, tenantId?: string): ControlPlaneUser {
  const tenants = memberships.map((m) => ({ tenantId: String(m.tenantId), role: m.role as Role }));
  return {
    userId: String(u._id),
    userName: u.name,
    email: u.email,
    userRole: (tenantId ? tenants.find((t) => t.tenantId === tenantId)?.role : tenants[0]?.role) ?? null,
    tenants,
    enabled: u.status === "active",
    status: u.emailVerifiedAt ? "CONFIRMED" : "FORCE_CHANGE_PASSWORD",
    systemRole: u.systemRole ?? null,
    created: (u.createdAt ?? new Date(0)).toISOString(),
    modified: (u.updatedAt ?? u.createdAt ?? new Date(0)).toISOString(),
  };
}

const ObjectIdString = z.string().regex(/^[0-9a-f]{24}$/i, "Use a tenant's id (24 hexadecimal characters)");

export const UserCreateInput = z
  .object({
    email: z.string().trim().toLowerCase().email("Give the person's email address").max(254),
    userName: z.string().trim().min(1).max(100).optional(),
    userRole: z.enum(ROLES, { message: "Use owner, admin or member" }).default("member"),
    tenantId: ObjectIdString,
  })
  .strict();

/** The fields a PUT may change: the name, and the role in one tenant. Not the address: that is the person's to change and confirm. */
export const UserUpdateInput = z
  .object({
    userName: z.string().trim().min(1).max(100).optional(),
    userRole: z.enum(ROLES, { message: "Use owner, admin or member" }).optional(),
    tenantId: ObjectIdString.optional(),
  })
  .strict()
  .refine((u) => !u.userRole || u.tenantId, { message: "Say in which tenant (tenantId) the role changes", path: ["tenantId"] });

export const UserListQuery = z.object({
  limit: z.coerce.number().int("Use a whole number").min(1, "Ask for 1 to 100 users").max(100, "Ask for 1 to 100 users").default(10),
  start_key: z.string().regex(/^[0-9a-f]{24}$/i, "Pass the next_start_key of the previous page as it was").optional(),
  tenantId: ObjectIdString.optional(),
});

const notFound = (id: string) => new NotFoundError(`There is no user ${String(id).slice(0, 40)}. List /users to find the id.`, "control_plane.user_not_found");

async function membershipsOf(connection: Connection, userIds: unknown[]) {
  if (!userIds.length) return [];
  return runAsSystem("list people's memberships for the control plane", () =>
    membershipModel(connection)
      .find({ userId: { $in: userIds } })
      .select({ userId: 1, tenantId: 1, role: 1 })
      .lean(),
  );
}

async function userOf(connection: Connection, userId: string) {
  if (!/^[0-9a-f]{24}$/i.test(userId)) throw notFound(userId);
  const user = await userModel(connection).findById(userId).lean();
  if (!user) throw notFound(userId);
  return user;
}

export async function getControlPlaneUser(connection: Connection, userId: string, tenantId?: string): Promise<ControlPlaneUser> {
  const user = await userOf(connection, userId);
  return toUser(user, await membershipsOf(connection, [user._id]), tenantId);
}

/** Users a page at a time, in id order; with tenantId, that tenant's members. */
export async function listControlPlaneUsers(connection: Connection, query: unknown): Promise<{ data: ControlPlaneUser[]; next_start_key?: string }> {
  const { limit, start_key, tenantId } = parseInput(UserListQuery, query ?? {}, "page");
  const filter: Record<string, unknown> = {};
  if (start_key) filter._id = { $gt: new Types.ObjectId(start_key) };
  if (tenantId) {
    const members = await withTenant(tenantId, () => membershipModel(connection).find().select({ userId: 1 }).lean());
    filter._id = { ...(filter._id as object), $in: members.map((m) => m.userId) };
  }
  const docs = await userModel(connection)
    .find(filter)
    .sort({ _id: 1 })
    .limit(limit + 1)
    .lean();
  const page = docs.slice(0, limit);
  const memberships = await membershipsOf(connection, page.map((u) => u._id));
  const data = page.map((u) => toUser(u, memberships.filter((m) => String(m.userId) === String(u._id)), tenantId));
  return docs.length > limit ? { data, next_start_key: data.at(-1)!.userId } : { data };
}

/** A control-plane event about a tenant's people, recorded in the tenant's outbox and then published. */
async function emit(connection: Connection, tenantId: string, detailType: (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES], detail: Record<string, unknown>, publisher?: EventPublisher): Promise<void> {
  await withTenantRecord(connection, tenantId, () => tenantModel(connection).updateOne({ _id: tenantId }, { $push: { outbox: outboxEvent(detailType, { tenantId, ...detail }) } }));
  await publishOutbox(connection, tenantId, publisher);
}

/**
 * SBT's POST /users: adds the person to a tenant with a role, creating their account when there
 * is none (they choose a password through the link the caller mails). Refused when they are a
 * member already, or the tenant is not active.
 */
export async function createControlPlaneUser(connection: Connection, input: unknown, publisher?: EventPublisher, now: Date = new Date()): Promise<{ user: ControlPlaneUser; created: boolean; tenantName: string }> {
  const data = parseInput(UserCreateInput, input, "user");
  const tenant = await tenantModel(connection).findById(data.tenantId).select({ status: 1, name: 1 }).lean();
  if (!tenant) throw new NotFoundError("There is no tenant with this tenantId. List /tenants to find it.", "control_plane.tenant_not_found");
  if (tenant.status !== "active") throw new ConflictError(`The tenant is ${tenant.status}; people are added to active tenants only.`, "control_plane.tenant_not_active");
  const { user, created } = await claimAccount(connection, data.email, {}, now, data.userName);
  try {
    await withinMemberLimit(connection, data.tenantId, () => withTenant(data.tenantId, () => membershipModel(connection).create({ userId: user._id, role: data.userRole })));
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    throw new ConflictError("This person is a member of the tenant already. Change their role with PUT /users/{id}.", "control_plane.user_exists");
  }
  await emit(connection, data.tenantId, DETAIL_TYPES.tenantUserCreated, { userId: String(user._id), email: user.email, userRole: data.userRole }, publisher);
  return { user: await getControlPlaneUser(connection, String(user._id), data.tenantId), created, tenantName: tenant.name };
}

/** SBT's PUT /users/{id}, within the allow-list: the name, and the role in one tenant (an organisation keeps an owner). */
export async function updateControlPlaneUser(connection: Connection, userId: string, input: unknown): Promise<ControlPlaneUser> {
  const data = parseInput(UserUpdateInput, input ?? {}, "user's changes");
  const user = await userOf(connection, userId);
  if (data.userName !== undefined) await withUserRecord(connection, user._id, () => userModel(connection).updateOne({ _id: user._id }, { $set: { name: data.userName } }));
  if (data.userRole && data.tenantId) await changeRole(connection, data.tenantId, OPERATOR, userId, { role: data.userRole });
  return getControlPlaneUser(connection, userId, data.tenantId);
}

/** Disables (no sign-in; sessions end now; API keys are refused) or enables an account. */
export async function setControlPlaneUserEnabled(connection: Connection, userId: string, enabled: boolean, now: Date = new Date()): Promise<ControlPlaneUser> {
  const user = await userOf(connection, userId);
  // A client with user/user_write manages a tenant's people, not the operators (who would lose the
  // control plane, the last one included, without removeOperator's rule that one remains).
  if (!enabled && user.systemRole === "operator") {
    throw new ConflictError("This person is an operator. Remove the operator role first (DELETE /control-plane/operators/{id}), then disable them.", "control_plane.user_is_operator");
  }
  await withUserRecord(connection, user._id, () => userModel(connection).updateOne({ _id: user._id }, { $set: { status: enabled ? "active" : "disabled" } }));
  if (!enabled) await endAllSessions(connection, userId, now);
  return getControlPlaneUser(connection, userId);
}

const lastOwner = (tenantId: string) =>
  new ConflictError(`This person is the last owner of tenant ${tenantId}. Make someone else its owner, or offboard the tenant, then delete the user.`, "control_plane.user_last_owner");

/**
 * SBT's DELETE /users/{id}: the person leaves every tenant (refused while they are the last owner
 * of one: make someone else owner first), their sessions, API keys and sign-in links end, and the
 * account is removed. What they wrote in an organisation stays with the organisation.
 */
export async function deleteControlPlaneUser(connection: Connection, userId: string, publisher?: EventPublisher, now: Date = new Date()): Promise<void> {
  const user = await userOf(connection, userId);
  if (user.systemRole === "operator") throw new ConflictError("This person is an operator. Remove the operator role first (DELETE /control-plane/operators/{id}).", "control_plane.user_is_operator");
  const memberships = await membershipsOf(connection, [user._id]);
  // Refused before anything is undone: found only at the second tenant, the person would already
  // have left the first (and lost every API key). (Checked again under each tenant's lease below.)
  for (const m of memberships.filter((m) => m.role === "owner")) {
    const owners = await withTenant(String(m.tenantId), () => membershipModel(connection).countDocuments({ role: "owner" }));
    if (owners <= 1) throw lastOwner(String(m.tenantId));
  }
  // Disabled first, so nothing new starts while the memberships go.
  await setControlPlaneUserEnabled(connection, userId, false, now);
  for (const m of memberships) {
    const tenantId = String(m.tenantId);
    try {
      await removeMember(connection, tenantId, OPERATOR, userId);
    } catch (error) {
      if (error instanceof ConflictError && error.code === "organisation.last_owner") {
        await setControlPlaneUserEnabled(connection, userId, true, now);
        throw lastOwner(tenantId);
      }
      throw error;
    }
    await runAsSystem("revoke a deleted person's API keys", () => apiKeyModel(connection).updateMany({ userId: user._id, revokedAt: null }, { $set: { revokedAt: now } }));
    await emit(connection, tenantId, DETAIL_TYPES.tenantUserDeleted, { userId, email: user.email }, publisher);
  }
  await identityModel(connection).deleteMany({ userId: user._id });
  await userModel(connection).deleteOne({ _id: user._id });
}
