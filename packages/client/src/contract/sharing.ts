import { z } from "zod";
import { Notebook } from "./notebooks.js";
import { ObjectIdString } from "./text.js";

/** Whom a notebook is shared with: one member of the organisation, a group of its members, or a project's members. */
export const ShareKind = z.enum(["member", "group", "project"]);
export type ShareKind = z.infer<typeof ShareKind>;
/** Read: see the conversation, its files and images. Edit: also write in it (send, regenerate, attach). */
export const SharePermission = z.enum(["read", "edit"]);
export type SharePermission = z.infer<typeof SharePermission>;
/** What the person asking may do with a notebook. */
export const NotebookAccess = z.enum(["owner", "edit", "read"]);
export type NotebookAccess = z.infer<typeof NotebookAccess>;
export const MAX_SHARES_PER_NOTEBOOK = 50;

export const ShareRequest = z.object({ kind: ShareKind, targetId: ObjectIdString, permission: SharePermission }).strict();
export const Share = z.object({
  id: ObjectIdString,
  kind: ShareKind,
  targetId: ObjectIdString,
  name: z.string().describe("The member's, the group's or the project's name"),
  permission: SharePermission,
  createdAt: z.string(),
});
export type Share = z.infer<typeof Share>;
export const ShareResponse = z.object({ share: Share });
export const SharesResponse = z.object({ shares: z.array(Share) });
export const SharedNotebook = Notebook.extend({ access: NotebookAccess, ownerName: z.string() });
export type SharedNotebook = z.infer<typeof SharedNotebook>;
export const SharedNotebooksResponse = z.object({ notebooks: z.array(SharedNotebook) });
