import type { Connection } from "mongoose";
import { notebookModel } from "../notebooks/model.js";
import { withTenant } from "../tenancy/index.js";
import { projectMemberModel, projectModel } from "./model.js";

const isObjectId = (id: string) => /^[0-9a-f]{24}$/i.test(id);

// Models only: chat (and with it the live fan-out's bundle) imports this, never the deletion path.
/**
 * What a notebook in a project gets from it in chat: its instructions and the home of its files,
 * while the notebook's owner is still in the project (a notebook left behind gets neither).
 */
export async function projectContext(connection: Connection, tenantId: string, notebookId: string, projectId: string | undefined): Promise<{ instructions: string; homeNotebookId: string } | undefined> {
  if (!projectId || !isObjectId(projectId)) return undefined;
  return withTenant(tenantId, async () => {
    const [doc, notebook] = await Promise.all([
      projectModel(connection).findOne({ _id: projectId }).select({ instructions: 1, homeNotebookId: 1 }).lean(),
      notebookModel(connection).findOne({ _id: notebookId }).select({ userId: 1 }).lean(),
    ]);
    if (!doc || !notebook) return undefined;
    const inIt = await projectMemberModel(connection).findOne({ projectId, userId: notebook.userId }).select({ _id: 1 }).lean();
    return inIt ? { instructions: doc.instructions ?? "", homeNotebookId: String(doc.homeNotebookId) } : undefined;
  });
}
