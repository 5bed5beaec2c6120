import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { tenantScoped } from "../tenancy/index.js";

/** A notebook shared with one member, one group or one project of its organisation, to read or to edit. */
const shareSchema = new Schema(
  {
    notebookId: { type: String, required: true },
    kind: { type: String, enum: ["member", "group", "project"], required: true },
    targetId: { type: String, required: true },
    permission: { type: String, enum: ["read", "edit"], required: true },
    sharedBy: { type: String, required: true },
  },
  { timestamps: true, collection: "notebook_shares" },
);
shareSchema.plugin(tenantScoped);
// One share per notebook and target: sharing again changes the permission (a unique index decides races).
shareSchema.index({ tenantId: 1, notebookId: 1, kind: 1, targetId: 1 }, { unique: true, name: "notebook_target_unique" });
// "Shared with me": equality reads by target.
shareSchema.index({ tenantId: 1, kind: 1, targetId: 1 }, { name: "tenant_target" });

export type ShareDocument = InferSchemaType<typeof shareSchema> & { _id: unknown; tenantId: unknown; createdAt: Date };

export function shareModel(connection: Connection): Model<ShareDocument> {
  return (connection.models.NotebookShare as Model<ShareDocument> | undefined) ?? connection.model<ShareDocument>("NotebookShare", shareSchema);
}
