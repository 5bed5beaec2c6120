import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { tenantScoped } from "../tenancy/index.js";

/**
 * A group of an organisation's members (used by model policy and spend caps). Its name is unique
 * in the organisation whatever its case: `nameKey` holds the normalised name (NFC, lower-cased)
 * and a plain unique index on (tenantId, nameKey) decides two creates or renames at once (no
 * collations on FerretDB v1).
 */
const groupSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    nameKey: { type: String, required: true },
  },
  { timestamps: true, collection: "groups" },
);
groupSchema.plugin(tenantScoped);
groupSchema.index({ tenantId: 1, nameKey: 1 }, { unique: true, name: "tenant_name_unique" });

/** One member in one group: a document each, so adding and removing are single inserts and deletes. */
const groupMemberSchema = new Schema(
  {
    groupId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: true, collection: "group_members" },
);
groupMemberSchema.plugin(tenantScoped);
// Once per group and person: the index decides two additions at once.
groupMemberSchema.index({ tenantId: 1, groupId: 1, userId: 1 }, { unique: true, name: "tenant_group_user_unique" });
// "Which groups is this person in?" (every reply of an organisation with group caps or group model rules).
groupMemberSchema.index({ tenantId: 1, userId: 1 }, { name: "tenant_user" });

export type GroupDocument = InferSchemaType<typeof groupSchema> & { tenantId: unknown };
export type GroupModel = Model<GroupDocument>;
export type GroupMemberDocument = InferSchemaType<typeof groupMemberSchema> & { tenantId: unknown };
export type GroupMemberModel = Model<GroupMemberDocument>;

export function groupModel(connection: Connection): GroupModel {
  return (connection.models.Group as GroupModel | undefined) ?? connection.model<GroupDocument>("Group", groupSchema);
}

export function groupMemberModel(connection: Connection): GroupMemberModel {
  return (connection.models.GroupMember as GroupMemberModel | undefined) ?? connection.model<GroupMemberDocument>("GroupMember", groupMemberSchema);
}

/** The key that makes names unique whatever their case. */
export const groupNameKey = (name: string): string => name.normalize("NFC").trim().toLowerCase();
