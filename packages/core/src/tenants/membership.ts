import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { tenantScoped } from "../tenancy/index.js";

export const ROLES = ["owner", "admin", "member"] as const;
export type Role = (typeof ROLES)[number];

const membershipSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    role: { type: String, enum: ROLES, required: true, default: "member" },
  },
  { timestamps: true, collection: "memberships" },
);
// Tenant-owned: tenantId is added and every operation is scoped by the tenancy plugin.
membershipSchema.plugin(tenantScoped);
// One membership per user and organisation; the index decides a race between two invites.
membershipSchema.index({ tenantId: 1, userId: 1 }, { unique: true, name: "tenant_user_unique" });
// "Which organisations am I in?" is asked at every sign-in (as the system, across tenants).
membershipSchema.index({ userId: 1 }, { name: "user_1" });

export type MembershipDocument = InferSchemaType<typeof membershipSchema> & { tenantId: unknown };
export type MembershipModel = Model<MembershipDocument>;

export function membershipModel(connection: Connection): MembershipModel {
  return (connection.models.Membership as MembershipModel | undefined) ?? connection.model<MembershipDocument>("Membership", membershipSchema);
}
