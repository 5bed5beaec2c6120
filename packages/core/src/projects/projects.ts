import {
  CreateProjectRequest,
  MAX_PROJECT_MEMBERS,
  MAX_PROJECTS,
  UpdateProjectRequest,
  type Project,
  type ProjectDetailResponse,
  type ProjectMember,
  type ProjectNotebook,
  type ProjectRole,
} from "@tandem/client/contract";
import { Types, type Connection } from "mongoose";
import { isDuplicateKeyError, isUniqueViolation } from "../database/index.js";
import { removeNotebookAndData, type DeletionStorage } from "../deletion/index.js";
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, parseInput } from "../errors/index.js";
import { userModel } from "../identity/model.js";
import { notebookModel } from "../notebooks/model.js";
import { toNotebook, type Owner } from "../notebooks/notebooks.js";
import { shareModel } from "../sharing/model.js";
import { removeSharesOf } from "../sharing/shares.js";
import { withTenant } from "../tenancy/index.js";
import { membershipModel } from "../tenants/membership.js";
import { leaveProjectWith } from "./handover.js";
import { projectMemberModel, projectModel, type ProjectDocument } from "./model.js";

/**
 * Projects of an organisation. Anyone in the organisation may start one and owns it; its owner
 * names it, writes its instructions, puts members in and out, and manages its files; its members
 * put their own notebooks in it (which then get its instructions and draw on its files) and see
 * the notebooks shared with it. A notebook in a project stays its owner's: sharing it with the
 * project is what lets the project's members see it.
 *
 * What decides what, with no transactions (FerretDB v1): a name is unique per organisation
 * (a unique index on the lower-cased name), a person is in a project once (a unique index), and
 * a deleted project's parts go in an order that a retry of the deletion completes.
 */
const isObjectId = (id: string) => /^[0-9a-f]{24}$/i.test(id);
const noProject = () => new NotFoundError("There is no such project in this organisation, or you are not in it. Open it from your list of projects, or ask its owner to add you.", "project.not_found");
const nameTaken = (name: string) => new ConflictError(`There is already a project named "${name}" in this organisation (names are compared without regard to case). Choose another name.`, "project.name_taken");
const nameKey = (name: string) => name.trim().normalize("NFKC").toLowerCase();

/** The names of people by id, each read once. */
async function people(connection: Connection, ids: readonly string[]): Promise<Map<string, { name: string; email: string }>> {
  const unique = [...new Set(ids)];
  const users = unique.length ? await userModel(connection).find({ _id: { $in: unique } }).select({ name: 1, email: 1 }).lean() : [];
  return new Map(users.map((u) => [String(u._id), { name: u.name ?? "A member", email: String(u.email ?? "") }]));
}

function toProject(doc: ProjectDocument, role: ProjectRole, ownerName: string, memberCount: number): Project {
  return {
    id: String(doc._id),
    name: doc.name,
    instructions: doc.instructions ?? "",
    ownerId: String(doc.ownerId),
    ownerName,
    role,
    memberCount,
    createdAt: new Date(doc.createdAt).toISOString(),
  };
}

/** The project, for someone in it with at least `need` (else 404 for outsiders, 403 for members asking an owner's thing). */
async function projectFor(connection: Connection, who: Owner, projectId: string, need: ProjectRole = "member"): Promise<{ doc: ProjectDocument; role: ProjectRole }> {
  if (!isObjectId(projectId)) throw noProject();
  const [doc, row] = await withTenant(who.tenantId, () =>
    Promise.all([projectModel(connection).findOne({ _id: projectId }).lean(), projectMemberModel(connection).findOne({ projectId, userId: who.userId }).lean()]),
  );
  if (!doc || !row) throw noProject();
  const role: ProjectRole = String(doc.ownerId) === who.userId ? "owner" : "member";
  if (need === "owner" && role !== "owner") throw new ForbiddenError("Only the project's owner can do this. Ask its owner.", "project.owner_only");
  return { doc, role };
}

async function memberCounts(connection: Connection, tenantId: string, projectIds: readonly unknown[]): Promise<Map<string, number>> {
  const rows = projectIds.length ? await withTenant(tenantId, () => projectMemberModel(connection).find({ projectId: { $in: projectIds } }).select({ projectId: 1 }).lean()) : [];
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(String(r.projectId), (counts.get(String(r.projectId)) ?? 0) + 1);
  return counts;
}

/** The projects this person owns or is in, by name. */
export async function listProjects(connection: Connection, who: Owner): Promise<Project[]> {
  const rows = await withTenant(who.tenantId, () => projectMemberModel(connection).find({ userId: who.userId }).select({ projectId: 1 }).lean());
  if (!rows.length) return [];
  const ids = rows.map((r) => r.projectId);
  const [docs, counts] = await Promise.all([withTenant(who.tenantId, () => projectModel(connection).find({ _id: { $in: ids } }).lean()), memberCounts(connection, who.tenantId, ids)]);
  const names = await people(connection, docs.map((d) => String(d.ownerId)));
  return docs
    .map((d) => toProject(d, String(d.ownerId) === who.userId ? "owner" : "member", names.get(String(d.ownerId))?.name ?? "A former member", counts.get(String(d._id)) ?? 0))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Starts a project, owned by the person who starts it; its home (which holds its files) comes first. */
export async function createProject(connection: Connection, who: Owner, input: unknown, defaults: { modelId: string }, now: Date = new Date()): Promise<Project> {
  const data = parseInput(CreateProjectRequest, input, "project details");
  if ((await withTenant(who.tenantId, () => projectModel(connection).countDocuments({}))) >= MAX_PROJECTS) {
    throw new ConflictError(`An organisation can have at most ${MAX_PROJECTS} projects. Delete projects no one uses, then start this one.`, "project.limit");
  }
  const key = nameKey(data.name);
  if (await withTenant(who.tenantId, () => projectModel(connection).findOne({ nameKey: key }).lean())) throw nameTaken(data.name);
  // In an order a crash cannot get stuck in: the owner's row, then the home, then the project (which
  // takes the name). A crash before the last step leaves only rows and an empty home that nothing
  // shows (no project names them), and the name still free, so creating it again succeeds.
  const projectId = new Types.ObjectId();
  await withTenant(who.tenantId, () => projectMemberModel(connection).create({ projectId, userId: who.userId, role: "owner" }));
  const home = await withTenant(who.tenantId, () =>
    notebookModel(connection).create({ userId: who.userId, title: `${data.name} (project files)`, titledBy: "user", systemPrompt: "", modelId: defaults.modelId, lastActivityAt: now, home: true, projectId }),
  );
  let doc: ProjectDocument;
  try {
    doc = (await withTenant(who.tenantId, () => projectModel(connection).create({ _id: projectId, name: data.name, nameKey: key, instructions: data.instructions ?? "", ownerId: who.userId, homeNotebookId: home._id }))).toObject() as ProjectDocument;
  } catch (error) {
    await withTenant(who.tenantId, () => Promise.all([notebookModel(connection).deleteOne({ _id: home._id }), projectMemberModel(connection).deleteOne({ projectId })])).catch(() => undefined);
    if (isDuplicateKeyError(error)) throw nameTaken(data.name);
    throw error;
  }
  const me = await people(connection, [who.userId]);
  return toProject(doc, "owner", me.get(who.userId)?.name ?? "You", 1);
}

/** The project with its members and the notebooks its viewer sees in it. */
export async function projectDetail(connection: Connection, who: Owner, projectId: string): Promise<ProjectDetailResponse> {
  const { doc, role } = await projectFor(connection, who, projectId);
  const [rows, orgMembers, mine, shared] = await withTenant(who.tenantId, () =>
    Promise.all([
      projectMemberModel(connection).find({ projectId }).lean(),
      membershipModel(connection).find().select({ userId: 1 }).lean(),
      notebookModel(connection).find({ projectId, userId: who.userId }).lean(),
      shareModel(connection).find({ kind: "project", targetId: projectId }).select({ notebookId: 1, permission: 1 }).lean(),
    ]),
  );
  const inOrganisation = new Set(orgMembers.map((m) => String(m.userId)));
  // Anyone no longer in the organisation is no longer in its projects (the departure's sweep removes the rows).
  const current = rows.filter((r) => inOrganisation.has(String(r.userId)));
  const sharedIds = shared.map((s) => s.notebookId).filter((id) => !mine.some((n) => String(n._id) === id));
  const others = sharedIds.length ? await withTenant(who.tenantId, () => notebookModel(connection).find({ _id: { $in: sharedIds } }).lean()) : [];
  const notebooks = [...mine.filter((n) => !n.home), ...others];
  const names = await people(connection, [...current.map((r) => String(r.userId)), ...notebooks.map((n) => String(n.userId)), String(doc.ownerId)]);
  const members: ProjectMember[] = current
    .map((r) => ({ userId: String(r.userId), name: names.get(String(r.userId))?.name ?? "A member", email: names.get(String(r.userId))?.email ?? "", role: String(r.userId) === String(doc.ownerId) ? ("owner" as const) : ("member" as const) }))
    .sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === "owner" ? -1 : 1));
  const permission = new Map(shared.map((s) => [s.notebookId, s.permission as "read" | "edit"]));
  const listed: ProjectNotebook[] = notebooks
    .map((n) => {
      const base = toNotebook(n);
      const access: ProjectNotebook["access"] = String(n.userId) === who.userId ? "owner" : permission.get(String(n._id));
      return { ...base, createdAt: base.createdAt.toISOString(), lastActivityAt: base.lastActivityAt.toISOString(), ...(access ? { access } : {}), ownerName: names.get(String(n.userId))?.name ?? "A former member" };
    })
    .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
  return { project: toProject(doc, role, names.get(String(doc.ownerId))?.name ?? "A former member", current.length), members, notebooks: listed };
}

/** Renames the project or changes its instructions (its owner). */
export async function updateProject(connection: Connection, who: Owner, projectId: string, input: unknown): Promise<Project> {
  const data = parseInput(UpdateProjectRequest, input ?? {}, "project details");
  const { doc } = await projectFor(connection, who, projectId, "owner");
  const set: Record<string, unknown> = {};
  if (data.name !== undefined) Object.assign(set, { name: data.name, nameKey: nameKey(data.name) });
  if (data.instructions !== undefined) set.instructions = data.instructions;
  if (Object.keys(set).length) {
    try {
      await withTenant(who.tenantId, () => projectModel(connection).updateOne({ _id: doc._id }, { $set: set }));
    } catch (error) {
      if (isDuplicateKeyError(error) || isUniqueViolation(error)) throw nameTaken(data.name ?? doc.name);
      throw error;
    }
  }
  const [names, counts] = await Promise.all([people(connection, [who.userId]), memberCounts(connection, who.tenantId, [doc._id])]);
  return toProject({ ...doc, ...set } as ProjectDocument, "owner", names.get(who.userId)?.name ?? "A member", counts.get(String(doc._id)) ?? 1);
}

/** Puts a member of the organisation in the project (its owner); again: no change. */
export async function addProjectMember(connection: Connection, who: Owner, projectId: string, userId: string): Promise<ProjectMember[]> {
  const { doc } = await projectFor(connection, who, projectId, "owner");
  const notMember = () => new NotFoundError("This person is not a member of the organisation. Invite them to the organisation first, then add them to the project.", "member.not_found");
  if (!isObjectId(userId)) throw notMember();
  if (!(await withTenant(who.tenantId, () => membershipModel(connection).findOne({ userId }).lean()))) throw notMember();
  const members = projectMemberModel(connection);
  const already = await withTenant(who.tenantId, () => members.findOne({ projectId: doc._id, userId }).lean());
  if (!already) {
    if ((await withTenant(who.tenantId, () => members.countDocuments({ projectId: doc._id }))) >= MAX_PROJECT_MEMBERS) {
      throw new ConflictError(`A project can have at most ${MAX_PROJECT_MEMBERS} members. Share its notebooks with a group instead.`, "project.member_limit");
    }
    try {
      await withTenant(who.tenantId, () => members.create({ projectId: doc._id, userId, role: "member" }));
    } catch (error) {
      // Added twice at once: the index kept one.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  return (await projectDetail(connection, who, projectId)).members;
}

/**
 * Takes a person out of the project: its owner removes anyone else; a member may leave. Their
 * notebooks leave the project with them, and their shares with it end (the project's files and
 * instructions are for its members only). Again: no change; after a crash, again finishes it.
 */
export async function removeProjectMember(connection: Connection, who: Owner, projectId: string, userId: string): Promise<void> {
  const self = userId === who.userId;
  const { doc } = await projectFor(connection, who, projectId, self ? "member" : "owner");
  if (String(doc.ownerId) === userId) {
    throw new InvalidInputError("The project's owner cannot leave it. Delete the project, or leave the organisation (the project then passes to its most senior member).", [{ name: "userId", message: "is the owner" }], "project.owner_stays");
  }
  if (!isObjectId(userId)) return;
  await withTenant(who.tenantId, () => projectMemberModel(connection).deleteOne({ projectId: doc._id, userId }));
  await leaveProjectWith(connection, who.tenantId, userId, projectId);
}

/**
 * Deletes a project (its owner): its files (with its home), then its notebooks leave it (they stay
 * their owners'), its shares end, its members go, and last the project itself, so that asking again
 * after a crash finds it and finishes.
 */
export async function deleteProject(connection: Connection, who: Owner, projectId: string, storage: DeletionStorage | undefined): Promise<{ complete: boolean }> {
  const { doc } = await projectFor(connection, who, projectId, "owner");
  const { complete } = await removeNotebookAndData(connection, who.tenantId, String(doc.homeNotebookId), storage);
  await withTenant(who.tenantId, () => notebookModel(connection).updateMany({ projectId: doc._id }, { $unset: { projectId: "" } }));
  await removeSharesOf(connection, who.tenantId, { projectId });
  await withTenant(who.tenantId, () => projectMemberModel(connection).deleteMany({ projectId: doc._id }));
  await withTenant(who.tenantId, () => projectModel(connection).deleteOne({ _id: doc._id }));
  return { complete };
}

/**
 * Where a project's files are reached: its home notebook, as its owner (whom the files pipeline
 * checks), once the project's own rule is checked here (members read, its owner changes).
 */
export async function projectFiles(connection: Connection, who: Owner, projectId: string, need: "read" | "edit"): Promise<{ owner: Owner; notebookId: string }> {
  const { doc } = await projectFor(connection, who, projectId, need === "edit" ? "owner" : "member");
  return { owner: { tenantId: who.tenantId, userId: String(doc.ownerId) }, notebookId: String(doc.homeNotebookId) };
}
