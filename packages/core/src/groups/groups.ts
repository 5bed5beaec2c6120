import type { Connection } from "mongoose";
import { CreateGroupRequest, MAX_GROUPS, RenameGroupRequest } from "@tandem/client/contract";
import { shelf } from "../access/cache.js";
import { isDuplicateKeyError, isUniqueViolation, withLease } from "../database/index.js";
import { ConflictError, NotFoundError, parseInput } from "../errors/index.js";
import { withTenant } from "../tenancy/index.js";
import { membershipModel } from "../tenants/membership.js";
import { groupMemberModel, groupModel, groupNameKey } from "./model.js";

/**
 * Groups of an organisation's members. Admins and owners create, rename and delete them and put
 * members in and out; every member sees them. Model policy (notebooks/policy.ts, groups/policy.ts)
 * and spend caps (spend/) name groups by id.
 *
 * What decides what, with no transactions (FerretDB v1):
 * - a name is unique per organisation, whatever its case: a unique index on the normalised name;
 * - a person is in a group once: a unique index on (group, person);
 * - at most MAX_GROUPS groups: creates count and insert under the organisation's groups lease, one
 *   at a time; so do the changes of membership and deletions, so a person being added while they
 *   leave the organisation, or while the group is deleted, is never left behind in a group (the
 *   sweep that follows a removal waits for the addition, which checked the membership under the lease).
 * Reads also drop anyone no longer in the organisation.
 */
export interface GroupView {
  readonly id: string;
  readonly name: string;
  readonly memberIds: readonly string[];
  /** Whether the person asking is in it. */
  readonly mine: boolean;
  readonly createdAt: Date;
}

const isObjectId = (id: string) => /^[0-9a-f]{24}$/i.test(id);
const noGroup = () => new NotFoundError("There is no such group in this organisation. Reload the list of groups.", "group.not_found");
const notMember = () => new NotFoundError("This person is not a member of the organisation. Only its members can be put in its groups.", "member.not_found");
const nameTaken = (name: string) => new ConflictError(`There is already a group named "${name}" in this organisation (names are compared without regard to case). Choose another name.`, "group.name_taken");

function withGroupsLease<T>(connection: Connection, tenantId: string, fn: () => Promise<T>): Promise<T> {
  return withLease(connection, `groups:${tenantId.toLowerCase()}`, fn, { what: "This organisation's groups", waitMs: 10_000 });
}

// Which groups a person is in, by "<tenantId>:<userId>", for the access cache's TTL (access/cache.ts);
// forgotten here on every change of membership.
const memberGroups = shelf<{ readonly ids: readonly string[] }>();

function forgetGroupsOf(tenantId: string, userId?: string): void {
  const t = tenantId.toLowerCase();
  if (userId) memberGroups.forget(`${t}:${userId.toLowerCase()}`);
  else memberGroups.forgetWhere((_, key) => key.startsWith(`${t}:`));
}

/** The ids of the groups a person is in (an equality read by tenant and person; kept a few seconds with `cached`). */
export async function groupIdsOf(connection: Connection, tenantId: string, userId: string, options: { cached?: boolean } = {}): Promise<readonly string[]> {
  if (!isObjectId(tenantId) || !isObjectId(userId)) return [];
  const t = tenantId.toLowerCase();
  const read = async () => ({ ids: (await withTenant(t, () => groupMemberModel(connection).find({ userId }).select({ groupId: 1 }).lean())).map((r) => String(r.groupId)) });
  const entry = options.cached ? await memberGroups.remember(`${t}:${userId.toLowerCase()}`, read) : await read();
  return entry?.ids ?? [];
}

/** The organisation's groups by id (for names in messages and summaries, and to check ids given). */
export async function groupNames(connection: Connection, tenantId: string): Promise<Map<string, string>> {
  const groups = await withTenant(tenantId, () => groupModel(connection).find().select({ name: 1 }).lean());
  return new Map(groups.map((g) => [String(g._id), g.name]));
}

async function currentMemberIds(connection: Connection, tenantId: string): Promise<Set<string>> {
  const members = await withTenant(tenantId, () => membershipModel(connection).find().select({ userId: 1 }).lean());
  return new Set(members.map((m) => String(m.userId)));
}

/** Every group of the organisation, by name, with its members and whether the caller is one. */
export async function listGroups(connection: Connection, tenantId: string, userId: string): Promise<GroupView[]> {
  const [groups, rows, members] = await Promise.all([
    withTenant(tenantId, () => groupModel(connection).find().select({ name: 1, createdAt: 1 }).lean()),
    withTenant(tenantId, () => groupMemberModel(connection).find().select({ groupId: 1, userId: 1 }).lean()),
    currentMemberIds(connection, tenantId),
  ]);
  const byGroup = new Map<string, string[]>();
  for (const row of rows) {
    const id = String(row.userId);
    if (!members.has(id)) continue;
    const list = byGroup.get(String(row.groupId)) ?? [];
    list.push(id);
    byGroup.set(String(row.groupId), list);
  }
  return groups
    .map((g) => {
      const memberIds = (byGroup.get(String(g._id)) ?? []).sort();
      return { id: String(g._id), name: g.name, memberIds, mine: memberIds.includes(String(userId).toLowerCase()), createdAt: g.createdAt };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

async function groupView(connection: Connection, tenantId: string, groupId: string, userId: string): Promise<GroupView> {
  const [group, rows, members] = await Promise.all([
    withTenant(tenantId, () => groupModel(connection).findOne({ _id: groupId }).select({ name: 1, createdAt: 1 }).lean()),
    withTenant(tenantId, () => groupMemberModel(connection).find({ groupId }).select({ userId: 1 }).lean()),
    currentMemberIds(connection, tenantId),
  ]);
  if (!group) throw noGroup();
  const memberIds = rows.map((r) => String(r.userId)).filter((id) => members.has(id)).sort();
  return { id: String(group._id), name: group.name, memberIds, mine: memberIds.includes(String(userId).toLowerCase()), createdAt: group.createdAt };
}

/** Creates a group (admins): 409 when the name is taken in any case, or when the organisation has MAX_GROUPS. */
export async function createGroup(connection: Connection, tenantId: string, userId: string, input: unknown): Promise<GroupView> {
  const { name } = parseInput(CreateGroupRequest, input, "group");
  const groups = groupModel(connection);
  // The unique index must exist before the first insert, or two could share a name.
  await groups.init();
  const created = await withGroupsLease(connection, tenantId, async () => {
    const count = await withTenant(tenantId, () => groups.countDocuments());
    if (count >= MAX_GROUPS) throw new ConflictError(`This organisation has ${MAX_GROUPS} groups, the most it may have. Delete a group it no longer needs first.`, "group.limit_reached");
    try {
      return await withTenant(tenantId, () => groups.create({ name, nameKey: groupNameKey(name) }));
    } catch (error) {
      if (isDuplicateKeyError(error)) throw nameTaken(name.trim());
      throw error;
    }
  });
  return { id: String(created._id), name: created.name, memberIds: [], mine: false, createdAt: created.createdAt };
}

/** Renames a group (admins); the unique index refuses a name another group has. */
export async function renameGroup(connection: Connection, tenantId: string, userId: string, groupId: string, input: unknown): Promise<GroupView> {
  if (!isObjectId(groupId)) throw noGroup();
  const { name } = parseInput(RenameGroupRequest, input, "group");
  await groupModel(connection).init();
  let matched: number;
  try {
    matched = (await withTenant(tenantId, () => groupModel(connection).updateOne({ _id: groupId }, { $set: { name, nameKey: groupNameKey(name) } }))).matchedCount;
  } catch (error) {
    // (FerretDB v1 reports an update into a taken key as an internal error: isUniqueViolation knows it.)
    if (isUniqueViolation(error)) throw nameTaken(name.trim());
    throw error;
  }
  if (matched === 0) throw noGroup();
  return groupView(connection, tenantId, groupId, userId);
}

/** Deletes a group and its memberships (admins). Rules naming it (model policy, spend caps) no longer match anyone. */
export async function deleteGroup(connection: Connection, tenantId: string, groupId: string): Promise<void> {
  if (!isObjectId(groupId)) throw noGroup();
  await withGroupsLease(connection, tenantId, async () => {
    const { deletedCount } = await withTenant(tenantId, () => groupModel(connection).deleteOne({ _id: groupId }));
    if (deletedCount === 0) throw noGroup();
    await withTenant(tenantId, () => groupMemberModel(connection).deleteMany({ groupId }));
  });
  forgetGroupsOf(tenantId);
}

/** Puts a member of the organisation in a group (admins); putting them in again changes nothing. */
export async function addGroupMember(connection: Connection, tenantId: string, actorId: string, groupId: string, userId: string): Promise<GroupView> {
  if (!isObjectId(groupId)) throw noGroup();
  if (!isObjectId(userId)) throw notMember();
  const members = groupMemberModel(connection);
  await members.init();
  await withGroupsLease(connection, tenantId, async () => {
    const [group, membership] = await Promise.all([
      withTenant(tenantId, () => groupModel(connection).findOne({ _id: groupId }).select({ _id: 1 }).lean()),
      withTenant(tenantId, () => membershipModel(connection).findOne({ userId }).select({ _id: 1 }).lean()),
    ]);
    if (!group) throw noGroup();
    if (!membership) throw notMember();
    try {
      await withTenant(tenantId, () => members.create({ groupId, userId }));
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  });
  forgetGroupsOf(tenantId, userId);
  return groupView(connection, tenantId, groupId, actorId);
}

/** Takes a person out of a group (admins); taking out someone who is not in it changes nothing. */
export async function removeGroupMember(connection: Connection, tenantId: string, groupId: string, userId: string): Promise<void> {
  if (!isObjectId(groupId)) throw noGroup();
  if (!isObjectId(userId)) throw notMember();
  await withGroupsLease(connection, tenantId, async () => {
    const group = await withTenant(tenantId, () => groupModel(connection).findOne({ _id: groupId }).select({ _id: 1 }).lean());
    if (!group) throw noGroup();
    await withTenant(tenantId, () => groupMemberModel(connection).deleteOne({ groupId, userId }));
  });
  forgetGroupsOf(tenantId, userId);
}

/** Takes a person out of every group of the organisation: called when they leave it or are removed. */
export async function removeFromAllGroups(connection: Connection, tenantId: string, userId: string): Promise<number> {
  if (!isObjectId(userId)) return 0;
  const removed = await withGroupsLease(connection, tenantId, () => withTenant(tenantId, () => groupMemberModel(connection).deleteMany({ userId })));
  forgetGroupsOf(tenantId, userId);
  return removed.deletedCount;
}
