import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { tenantScoped } from "../tenancy/index.js";

/**
 * A project: notebooks of its organisation grouped under a name, with instructions given to the
 * model in each of them and knowledge files every one of them draws on. Its files are held by its
 * home notebook (a notebook no one chats in and no list shows), so the one files pipeline (upload,
 * reading, passages, retrieval, quotas, deletion) serves notebooks and projects alike.
 */
const projectSchema = new Schema(
  {
    name: { type: String, required: true },
    // Lower-cased name: unique in the organisation (a unique index decides between two creates).
    nameKey: { type: String, required: true },
    instructions: { type: String, default: "" },
    ownerId: { type: Schema.Types.ObjectId, required: true },
    homeNotebookId: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: true, collection: "projects" },
);
projectSchema.plugin(tenantScoped);
projectSchema.index({ tenantId: 1, nameKey: 1 }, { unique: true, name: "tenant_name_unique" });

/** A person in a project: its owner (who manages it) or a member (who uses it). */
const projectMemberSchema = new Schema(
  {
    projectId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    role: { type: String, enum: ["owner", "member"], required: true },
  },
  { timestamps: true, collection: "project_members" },
);
projectMemberSchema.plugin(tenantScoped);
// In a project once (the index decides between two additions at once).
projectMemberSchema.index({ tenantId: 1, projectId: 1, userId: 1 }, { unique: true, name: "project_user_unique" });
// "My projects": equality reads by person.
projectMemberSchema.index({ tenantId: 1, userId: 1 }, { name: "tenant_user" });

export type ProjectDocument = InferSchemaType<typeof projectSchema> & { _id: unknown; tenantId: unknown; createdAt: Date };
export type ProjectMemberDocument = InferSchemaType<typeof projectMemberSchema> & { _id: unknown; tenantId: unknown; createdAt: Date };

export function projectModel(connection: Connection): Model<ProjectDocument> {
  return (connection.models.Project as Model<ProjectDocument> | undefined) ?? connection.model<ProjectDocument>("Project", projectSchema);
}
export function projectMemberModel(connection: Connection): Model<ProjectMemberDocument> {
  return (connection.models.ProjectMember as Model<ProjectMemberDocument> | undefined) ?? connection.model<ProjectMemberDocument>("ProjectMember", projectMemberSchema);
}

/** The projects a person is in, by id (owner or member): one equality read. */
export async function projectIdsOf(connection: Connection, userId: string): Promise<string[]> {
  const rows = await projectMemberModel(connection).find({ userId }).select({ projectId: 1 }).lean();
  return rows.map((r) => String(r.projectId));
}
