import type { Connection } from "mongoose";
import { RoleRequest } from "@tandem/client/contract";
import { z } from "zod";
import { shelf } from "../access/cache.js";
import { withLease } from "../database/index.js";
import { ConflictError, ForbiddenError, NotFoundError, parseInput } from "../errors/index.js";
import { userModel } from "../identity/model.js";
import { runAsSystem, withTenant } from "../tenancy/index.js";
import { createTenant, TenantInput, type Tenant } from "./tenants.js";
import { getTier } from "../tiers/index.js";
import { removeFromAllGroups } from "../groups/groups.js";
import { membershipModel, type Role } from "./membership.js";
import { tenantModel } from "./model.js";
import { removeSharesWith } from "../sharing/shares.js";
import { handOverProjects } from "../projects/handover.js";

/** Organisations are Tandem's tenants seen from their members: create, rename, members, roles. */
const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export interface Organisation {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  /** The caller's role in it. */
  readonly role: Role;
}

export interface Member {
  readonly userId: string;
  readonly name: string;
  readonly email: string;
  readonly role: Role;
  readonly joinedAt: Date;
}

const isObjectId = (id: string) => /^[0-9a-f]{24}$/i.test(id);
const notMember = () => new NotFoundError("There is no such organisation, or you are not a member of it. Check the address, or ask its admin for an invitation.", "organisation.not_found");

/** What an organisation's admins allow in notebooks (the same shape as notebooks' ModelPolicy). */
export interface TenantModelPolicy {
  readonly allowedModelIds: readonly string[];
  readonly guardrail?: { readonly id: string; readonly version: string };
  /** The models the organisation's tier allows (tiers/; empty: every chat model), whatever its admins allow. */
  readonly tierModelIds?: readonly string[];
  /**
   * Models by group of members (groups/policy.ts): a member in one or more of these groups may use
   * their models together instead of `allowedModelIds`. Absent or empty: no group rules.
   */
  readonly groups?: ReadonlyArray<{ readonly groupId: string; readonly modelIds: readonly string[] }>;
}

/** What a member's request needs to know of the organisation: who it is and what it allows. */
export interface MemberAccess {
  readonly tenant: Tenant;
  readonly role: Role;
  readonly policy: TenantModelPolicy;
}

type TenantEntry = { readonly tenant: Tenant; readonly policy: TenantModelPolicy };

// Roles by "<tenantId>:<userId>" and organisations by id (see access/cache.ts for how stale they may be).
const memberRoles = shelf<{ readonly tenantId: string; readonly userId: string; readonly role: Role }>();
const tenantEntries = shelf<TenantEntry>();

/**
 * Runs a write of an organisation's own document (its name, model policy, lifecycle status and
 * outbox) under the organisation's lease, one after another. FerretDB v1 applies an update by
 * reading the document and writing it back whole, so two updates of one document at once lose
 * one (a rename at the moment of a suspension could restore the old status), even when each is
 * conditional on the status it expects.
 */
export function withTenantRecord<T>(connection: Connection, tenantId: string, fn: () => Promise<T>): Promise<T> {
  return withLease(connection, `tenant:${String(tenantId).toLowerCase()}`, fn, { what: "This organisation" });
}

/** Forgets what the access cache knows of an organisation (renamed, its policy or status changed). */
export function forgetTenant(tenantId: string): void {
  tenantEntries.forget(String(tenantId).toLowerCase());
}

function forgetMember(tenantId: string, userId: string): void {
  memberRoles.forget(`${String(tenantId).toLowerCase()}:${String(userId).toLowerCase()}`);
}

async function readRole(connection: Connection, tenantId: string, userId: string) {
  const membership = await withTenant(tenantId, () => membershipModel(connection).findOne({ userId }).select({ role: 1 }).lean());
  return membership ? { tenantId, userId, role: membership.role } : undefined;
}

async function readTenant(connection: Connection, tenantId: string): Promise<TenantEntry | undefined> {
  const doc = await tenantModel(connection).findById(tenantId).lean();
  if (!doc) return undefined;
  const tier = await getTier(connection, doc.tier ?? "basic");
  return {
    tenant: { id: String(doc._id), slug: doc.slug, name: doc.name, status: doc.status, createdAt: doc.createdAt },
    policy: {
      allowedModelIds: doc.allowedModelIds ?? [],
      tierModelIds: tier.limits.models,
      groups: groupRulesOf(doc.groupModels),
      guardrail: doc.guardrailId && doc.guardrailVersion ? { id: doc.guardrailId, version: doc.guardrailVersion } : undefined,
    },
  };
}

/** The group rules as stored (a list of { groupId, modelIds }), tolerant of anything else. */
export function groupRulesOf(stored: unknown): Array<{ groupId: string; modelIds: string[] }> {
  if (!Array.isArray(stored)) return [];
  return stored
    .filter((r): r is { groupId: string; modelIds: string[] } => typeof r === "object" && r !== null && typeof (r as { groupId?: unknown }).groupId === "string" && Array.isArray((r as { modelIds?: unknown }).modelIds))
    .map((r) => ({ groupId: r.groupId, modelIds: r.modelIds.filter((m): m is string => typeof m === "string") }));
}

/**
 * The caller's role in an organisation, the organisation and its model policy; not-found (never
 * "forbidden") for outsiders, so ids cannot be probed. The membership and the organisation are
 * read at once (two queries in parallel: there is no join on every engine). With `cached`, both
 * answers are kept for the access cache's TTL, the membership per (organisation, person); a role
 * change or a removal in this process forgets it at once.
 */
export async function requireMember(connection: Connection, tenantId: string, userId: string, needed: Role = "member", options: { cached?: boolean } = {}): Promise<MemberAccess> {
  if (!isObjectId(tenantId)) throw notMember();
  // Cache keys use the canonical (lower-case) ids: an id in capitals names the same organisation,
  // and must find (and lose) the same entry when a member is removed or the organisation changes.
  tenantId = tenantId.toLowerCase();
  userId = String(userId).toLowerCase();
  const [membership, entry] = options.cached
    ? await Promise.all([memberRoles.remember(`${tenantId}:${userId}`, () => readRole(connection, tenantId, userId)), tenantEntries.remember(tenantId, () => readTenant(connection, tenantId))])
    : await Promise.all([readRole(connection, tenantId, userId), readTenant(connection, tenantId)]);
  if (!membership || !entry || entry.tenant.status !== "active") throw notMember();
  if (!roleAtLeast(membership.role, needed)) {
    throw new ForbiddenError(`Only an organisation ${needed} can do this; you are a ${membership.role}. Ask an ${needed} of "${entry.tenant.name}".`, "organisation.role_required");
  }
  return { tenant: entry.tenant, role: membership.role, policy: entry.policy };
}

/** Creates an organisation with the caller as its owner. */
export async function createOrganisation(connection: Connection, userId: string, input: TenantInput): Promise<Organisation> {
  const tenant = await createTenant(connection, input);
  await withTenant(tenant.id, () => membershipModel(connection).create({ userId, role: "owner" }));
  return { id: tenant.id, slug: tenant.slug, name: tenant.name, role: "owner" };
}

/** Every organisation the user belongs to, by name. */
export async function listOrganisations(connection: Connection, userId: string): Promise<Organisation[]> {
  const memberships = await runAsSystem("list the organisations of one user", () => membershipModel(connection).find({ userId }).lean());
  if (memberships.length === 0) return [];
  const tenants = await tenantModel(connection)
    .find({ _id: { $in: memberships.map((m) => m.tenantId) }, status: "active" })
    .lean();
  const roleOf = new Map(memberships.map((m) => [String(m.tenantId), m.role]));
  return tenants
    .map((t) => ({ id: String(t._id), slug: t.slug, name: t.name, role: roleOf.get(String(t._id))! }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function renameOrganisation(connection: Connection, tenantId: string, name: unknown): Promise<void> {
  const data = parseInput(z.object({ name: TenantInput.shape.name }), { name }, "organisation's details");
  await withTenantRecord(connection, tenantId, () => tenantModel(connection).updateOne({ _id: tenantId }, { $set: { name: data.name } }));
  forgetTenant(tenantId);
}

export async function listMembers(connection: Connection, tenantId: string): Promise<Member[]> {
  const memberships = await withTenant(tenantId, () => membershipModel(connection).find().lean());
  const users = await userModel(connection)
    .find({ _id: { $in: memberships.map((m) => m.userId) } })
    .lean();
  const byId = new Map(users.map((u) => [String(u._id), u]));
  return memberships
    .filter((m) => byId.has(String(m.userId)))
    .map((m) => {
      const user = byId.get(String(m.userId))!;
      return { userId: String(m.userId), name: user.name, email: user.email, role: m.role, joinedAt: m.createdAt };
    })
    .sort((a, b) => RANK[b.role] - RANK[a.role] || a.name.localeCompare(b.name));
}

async function targetMembership(connection: Connection, tenantId: string, userId: string) {
  if (!isObjectId(userId)) throw new NotFoundError("This person is not a member of the organisation. Reload the member list.", "member.not_found");
  const target = await withTenant(tenantId, () => membershipModel(connection).findOne({ userId }).lean());
  if (!target) throw new NotFoundError("This person is not a member of the organisation. Reload the member list.", "member.not_found");
  return target;
}

async function assertNotLastOwner(connection: Connection, tenantId: string, action: string): Promise<void> {
  const owners = await withTenant(tenantId, () => membershipModel(connection).countDocuments({ role: "owner" }));
  if (owners <= 1) throw new ConflictError(`An organisation needs an owner: make someone else owner before you ${action}.`, "organisation.last_owner");
}

/** The actor's role was read before the lease; one demoted meanwhile must not act on the old role. */
async function assertActorStillHolds(connection: Connection, tenantId: string, actor: { userId: string; role: Role }): Promise<void> {
  const current = await withTenant(tenantId, () => membershipModel(connection).findOne({ userId: actor.userId }).lean());
  if (!current || RANK[current.role] < RANK[actor.role]) {
    throw new ConflictError("Your role in this organisation changed a moment ago. Reload the page and try again.", "organisation.role_changed");
  }
}

/**
 * "An organisation always keeps an owner" spans several membership documents, so every change
 * that can take an owner away (demote, remove, leave) runs under the organisation's owner lease:
 * two owners demoting each other at the same moment run one after the other, and the second
 * finds the last owner. The target is read again inside the lease.
 */
function withOwnerLease<T>(connection: Connection, tenantId: string, fn: () => Promise<T>): Promise<T> {
  // The canonical (lower-case) id: an id in capitals names the same organisation, and must wait for the same lease.
  return withLease(connection, `owners:${String(tenantId).toLowerCase()}`, fn, { what: "This organisation's members" });
}

export const RoleInput = RoleRequest;

/** An operator acting through the control plane: above every organisation's roles, still bound by "an organisation keeps an owner". */
export const OPERATOR = "operator" as const;

/** Admins manage members and admins; only owners grant or take away ownership. */
export async function changeRole(connection: Connection, tenantId: string, actor: { userId: string; role: Role } | typeof OPERATOR, userId: string, input: unknown): Promise<Member> {
  const { role } = parseInput(RoleInput, input, "role");
  await withOwnerLease(connection, tenantId, async () => {
    const target = await targetMembership(connection, tenantId, userId);
    if (actor !== OPERATOR) {
      if ((role === "owner" || target.role === "owner") && actor.role !== "owner") {
        throw new ForbiddenError("Only an owner can grant or take away ownership. Ask an owner of the organisation.", "organisation.role_required");
      }
      await assertActorStillHolds(connection, tenantId, actor);
    }
    if (target.role === "owner" && role !== "owner") await assertNotLastOwner(connection, tenantId, "step down");
    await withTenant(tenantId, () => membershipModel(connection).updateOne({ userId }, { $set: { role } }));
    forgetMember(tenantId, userId);
  });
  const member = (await listMembers(connection, tenantId)).find((m) => m.userId === userId);
  return member!;
}

/**
 * Removes a member (or lets a member leave). Access ends at once: every request checks the
 * membership, and the member's API keys for the organisation are revoked.
 */
export async function removeMember(connection: Connection, tenantId: string, actor: { userId: string; role: Role } | typeof OPERATOR, userId: string, onRemoved?: () => Promise<void>): Promise<void> {
  const self = actor !== OPERATOR && actor.userId === userId;
  await withOwnerLease(connection, tenantId, async () => {
    const target = await targetMembership(connection, tenantId, userId);
    if (actor !== OPERATOR) {
      if (!self && !roleAtLeast(actor.role, "admin")) throw new ForbiddenError("Only an organisation admin can remove members. Ask an admin.", "organisation.role_required");
      if (!self && target.role === "owner" && actor.role !== "owner") throw new ForbiddenError("Only an owner can remove an owner.", "organisation.role_required");
      if (!self) await assertActorStillHolds(connection, tenantId, actor);
    }
    if (target.role === "owner") await assertNotLastOwner(connection, tenantId, self ? "leave" : "remove the last owner");
    await withTenant(tenantId, () => membershipModel(connection).deleteOne({ userId }));
    forgetMember(tenantId, userId);
  });
  // Out of the organisation, out of its groups (reads of groups also drop former members).
  await removeFromAllGroups(connection, tenantId, userId);
  // And no longer named in its notebooks' shares (a departure ends them; rejoining does not bring them back).
  await removeSharesWith(connection, tenantId, userId);
  // Out of its projects; the ones they owned pass to the organisation's most senior member.
  await handOverProjects(connection, tenantId, userId);
  await onRemoved?.();
}
