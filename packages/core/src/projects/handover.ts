import type { Connection } from "mongoose";
import { notebookModel } from "../notebooks/model.js";
import { shareModel } from "../sharing/model.js";
import { withTenant } from "../tenancy/index.js";
import { membershipModel } from "../tenants/membership.js";
import { projectMemberModel, projectModel } from "./model.js";

const RANK: Record<string, number> = { owner: 0, admin: 1, member: 2 };

/**
 * A person leaves an organisation (or deletes their account): the projects they own pass to the
 * organisation's most senior other member (an owner, else an admin, else the longest-standing
 * member), files and all, and they are out of every other project, their notebooks with them (and
 * those notebooks' shares with projects end). A project whose organisation has no one else left goes
 * with the organisation.
 *
 * Each step is idempotent (the same owner set again, rows deleted again), so running it again after a
 * crash finishes it.
 */
export async function handOverProjects(connection: Connection, tenantId: string, userId: string): Promise<{ handedOver: number }> {
  return withTenant(tenantId, async () => {
    const owned = await projectModel(connection).find({ ownerId: userId }).lean();
    if (owned.length) {
      const members = await membershipModel(connection).find().select({ userId: 1, role: 1, createdAt: 1 }).lean();
      const heir = members
        .filter((m) => String(m.userId) !== userId)
        .sort((a, b) => (RANK[a.role] ?? 3) - (RANK[b.role] ?? 3) || new Date(String((a as { createdAt?: Date }).createdAt ?? 0)).getTime() - new Date(String((b as { createdAt?: Date }).createdAt ?? 0)).getTime())[0];
      if (heir) {
        for (const project of owned) {
          const heirId = String(heir.userId);
          // The project and its home (the home's owner is who reaches its files) name the heir first,
          // then the heir's row says owner (replacing a member row, if they had one).
          await projectModel(connection).updateOne({ _id: project._id }, { $set: { ownerId: heirId } });
          await notebookModel(connection).updateOne({ _id: project.homeNotebookId }, { $set: { userId: heirId } });
          await projectMemberModel(connection).updateOne({ projectId: project._id, userId: heirId }, { $set: { role: "owner" } }, { upsert: true }).catch(() => undefined);
        }
      }
    }
    await projectMemberModel(connection).deleteMany({ userId });
    // Their notebooks leave the projects with them (a home handed over is the heir's now).
    await leaveProjectWith(connection, tenantId, userId);
    return { handedOver: owned.length };
  });
}

/** A person's notebooks out of a project (or of every project), and their shares with it ended. */
export async function leaveProjectWith(connection: Connection, tenantId: string, userId: string, projectId?: string): Promise<void> {
  await withTenant(tenantId, async () => {
    const theirs = await notebookModel(connection).find({ userId, home: { $ne: true }, projectId: projectId ?? { $exists: true } }).select({ _id: 1 }).lean();
    const ids = theirs.map((n) => String(n._id));
    if (!ids.length) return;
    await shareModel(connection).deleteMany({ kind: "project", notebookId: { $in: ids }, ...(projectId ? { targetId: projectId } : {}) });
    await notebookModel(connection).updateMany({ _id: { $in: ids } }, { $unset: { projectId: "" } });
  });
}
