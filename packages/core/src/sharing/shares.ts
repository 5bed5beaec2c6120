import { MAX_SHARES_PER_NOTEBOOK, ShareRequest, type NotebookAccess, type Share, type SharedNotebook } from "@tandem/client/contract";
import type { Connection } from "mongoose";
import { upsertRacing } from "../database/index.js";
import { ConflictError, InvalidInputError, NotFoundError, parseInput } from "../errors/index.js";
import { groupIdsOf, groupNames } from "../groups/groups.js";
import { userModel } from "../identity/model.js";
import { membershipModel } from "../tenants/membership.js";
import { withTenant } from "../tenancy/index.js";
import { notebookModel } from "../notebooks/model.js";
import { projectIdsOf, projectMemberModel, projectModel } from "../projects/model.js";
import { shareModel, type ShareDocument } from "./model.js";

interface Who {
  readonly tenantId: string;
  readonly userId: string;
}

/** People's names by id, each read once however often it is asked for (a list of shares, of shared notebooks). */
function nameBook(connection: Connection): (userId: string) => Promise<string> {
  const names = new Map<string, Promise<string>>();
  return (userId) => {
    let name = names.get(userId);
    if (!name) {
      name = userModel(connection)
        .findById(userId)
        .lean()
        .then((u) => u?.name ?? "A former member");
      names.set(userId, name);
    }
    return name;
  };
}

async function nameOf(connection: Connection, tenantId: string, share: Pick<ShareDocument, "kind" | "targetId">, groups?: Map<string, string>, people = nameBook(connection)): Promise<string> {
  if (share.kind === "project") return (await withTenant(tenantId, () => projectModel(connection).findOne({ _id: share.targetId }).select({ name: 1 }).lean()))?.name ?? "A deleted project";
  if (share.kind === "group") return (groups ?? (await groupNames(connection, tenantId))).get(share.targetId) ?? "A removed group";
  return people(share.targetId);
}

const toShare = (d: ShareDocument, name: string): Share => ({
  id: String(d._id),
  kind: d.kind as Share["kind"],
  targetId: d.targetId,
  name,
  permission: d.permission as Share["permission"],
  createdAt: new Date(d.createdAt).toISOString(),
});

/** A notebook's shares (for its owner: the caller checks ownership). */
export async function listShares(connection: Connection, tenantId: string, notebookId: string): Promise<Share[]> {
  const docs = await withTenant(tenantId, () => shareModel(connection).find({ notebookId }).lean());
  const groups = await groupNames(connection, tenantId);
  const people = nameBook(connection);
  return Promise.all(docs.map(async (d) => toShare(d, await nameOf(connection, tenantId, d, groups, people))));
}

/**
 * Shares a notebook with a member or a group of its organisation, or changes the permission of an
 * existing share (one per target: the unique index decides between two at once).
 */
export async function shareNotebook(connection: Connection, owner: Who, notebookId: string, input: unknown): Promise<Share> {
  const data = parseInput(ShareRequest, input, "share");
  if (data.kind === "member") {
    if (data.targetId === owner.userId) throw new InvalidInputError("This is your own notebook already. Pick another member to share it with.", [{ name: "targetId", message: "must be another member" }], "share.self");
    const member = await withTenant(owner.tenantId, () => membershipModel(connection).findOne({ userId: data.targetId }).lean());
    if (!member) throw new NotFoundError("There is no such member in this organisation. Invite them first, then share the notebook.", "share.no_member");
  } else if (data.kind === "project") {
    // Into a project one is in: its members are the sharer's collaborators there.
    const inIt = await withTenant(owner.tenantId, () => projectMemberModel(connection).findOne({ projectId: data.targetId, userId: owner.userId }).lean());
    if (!inIt) throw new NotFoundError("There is no such project in this organisation, or you are not in it. Share with one of your projects.", "share.no_project");
  } else if (!(await groupNames(connection, owner.tenantId)).has(data.targetId)) {
    throw new NotFoundError("There is no such group in this organisation. Pick one from the organisation's groups.", "share.no_group");
  }
  const shares = shareModel(connection);
  const filter = { notebookId, kind: data.kind, targetId: data.targetId };
  const existing = await withTenant(owner.tenantId, () => shares.findOne(filter).lean());
  if (!existing && (await withTenant(owner.tenantId, () => shares.countDocuments({ notebookId }))) >= MAX_SHARES_PER_NOTEBOOK) {
    throw new ConflictError(`A notebook can be shared with at most ${MAX_SHARES_PER_NOTEBOOK} members and groups. Share it with a group instead of one person at a time.`, "share.limit");
  }
  await upsertRacing(() => withTenant(owner.tenantId, () => shares.updateOne(filter, { $set: { permission: data.permission }, $setOnInsert: { sharedBy: owner.userId } }, { upsert: true })));
  const saved = await withTenant(owner.tenantId, () => shares.findOne(filter).lean());
  return toShare(saved!, await nameOf(connection, owner.tenantId, saved!));
}

/** Ends a share; a share already gone is not an error (revoking twice). */
export async function revokeShare(connection: Connection, tenantId: string, notebookId: string, shareId: string): Promise<Share | undefined> {
  if (!/^[0-9a-f]{24}$/i.test(shareId)) throw new NotFoundError("There is no such share of this notebook. Reload the list of shares.", "share.not_found");
  const doc = await withTenant(tenantId, () => shareModel(connection).findOne({ _id: shareId, notebookId }).lean());
  if (!doc) return undefined;
  await withTenant(tenantId, () => shareModel(connection).deleteOne({ _id: shareId, notebookId }));
  return toShare(doc, await nameOf(connection, tenantId, doc));
}

/** Notebooks others shared with this person (by name or through a group), with what they may do. */
export async function sharedWithMe(connection: Connection, who: Who): Promise<SharedNotebook[]> {
  const [groups, projects] = await Promise.all([groupIdsOf(connection, who.tenantId, who.userId), withTenant(who.tenantId, () => projectIdsOf(connection, who.userId))]);
  const targets = [{ kind: "member", targetId: who.userId }, ...groups.map((g) => ({ kind: "group", targetId: g })), ...projects.map((p) => ({ kind: "project", targetId: p }))];
  const found = (await Promise.all(targets.map((t) => withTenant(who.tenantId, () => shareModel(connection).find(t).limit(500).lean())))).flat();
  const best = new Map<string, NotebookAccess>();
  for (const s of found) if (best.get(s.notebookId) !== "edit") best.set(s.notebookId, s.permission as NotebookAccess);
  const notebooks = await Promise.all([...best.keys()].slice(0, 200).map((id) => withTenant(who.tenantId, () => notebookModel(connection).findOne({ _id: id }).lean())));
  const out: SharedNotebook[] = [];
  const people = nameBook(connection);
  for (const n of notebooks) {
    if (!n || String(n.userId) === who.userId) continue;
    const ownerName = await people(String(n.userId));
    out.push({ id: String(n._id), title: n.title, systemPrompt: n.systemPrompt ?? "", modelId: n.modelId, createdAt: n.createdAt.toISOString(), lastActivityAt: n.lastActivityAt.toISOString(), access: best.get(String(n._id))!, ownerName });
  }
  return out.sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
}

/** Housekeeping of a departure: the shares naming a person who left the organisation. */
export async function removeSharesWith(connection: Connection, tenantId: string, userId: string): Promise<number> {
  const result = await withTenant(tenantId, () => shareModel(connection).deleteMany({ kind: "member", targetId: userId }));
  return result.deletedCount ?? 0;
}

/** With a deleted notebook, group or project: its shares. */
export async function removeSharesOf(connection: Connection, tenantId: string, filter: { notebookId: string } | { groupId: string } | { projectId: string }): Promise<void> {
  const which = "notebookId" in filter ? { notebookId: filter.notebookId } : "groupId" in filter ? { kind: "group", targetId: filter.groupId } : { kind: "project", targetId: filter.projectId };
  await withTenant(tenantId, () => shareModel(connection).deleteMany(which));
}
