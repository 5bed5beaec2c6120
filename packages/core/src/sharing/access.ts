import type { NotebookAccess } from "@tandem/client/contract";
import type { Connection } from "mongoose";
import { groupIdsOf } from "../groups/groups.js";
import { projectIdsOf } from "../projects/model.js";
import { withTenant } from "../tenancy/index.js";
import { shareModel } from "./model.js";

/** The more of two rights. */
const rank = { read: 1, edit: 2, owner: 3 } as const;
export const atLeast = (have: NotebookAccess | undefined, need: NotebookAccess): boolean => Boolean(have) && rank[have!] >= rank[need];

/**
 * What a person may do with a notebook of their organisation: owner (its creator), or what its
 * shares give them (to them by name, to a group or a project they are in; the most of these), or nothing.
 */
export async function rightOf(connection: Connection, who: { tenantId: string; userId: string }, notebook: { id: string; ownerId: string }): Promise<NotebookAccess | undefined> {
  if (notebook.ownerId === who.userId) return "owner";
  const shares = await withTenant(who.tenantId, () => shareModel(connection).find({ notebookId: notebook.id }).lean());
  if (!shares.length) return undefined;
  const [groups, projects] = await Promise.all([
    shares.some((s) => s.kind === "group") ? groupIdsOf(connection, who.tenantId, who.userId, { cached: true }).then((ids) => new Set(ids)) : new Set<string>(),
    shares.some((s) => s.kind === "project") ? withTenant(who.tenantId, () => projectIdsOf(connection, who.userId)).then((ids) => new Set(ids)) : new Set<string>(),
  ]);
  let best: NotebookAccess | undefined;
  for (const s of shares) {
    const mine = (s.kind === "member" && s.targetId === who.userId) || (s.kind === "group" && groups.has(s.targetId)) || (s.kind === "project" && projects.has(s.targetId));
    if (mine && !atLeast(best, s.permission as NotebookAccess)) best = s.permission as NotebookAccess;
  }
  return best;
}
