import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";

export const TENANT_STATUSES = ["active", "suspended", "offboarding", "offboarded"] as const;

const tenantSchema = new Schema(
  {
    // Lower-case, URL-safe handle; unique across the installation.
    slug: { type: String, required: true, lowercase: true, trim: true },
    name: { type: String, required: true, trim: true },
    status: { type: String, enum: TENANT_STATUSES, required: true, default: "active" },
    // What its admins allow in notebooks: model ids (empty: every chat model) and a guardrail.
    allowedModelIds: { type: [String], default: [] },
    guardrailId: { type: String, default: null },
    guardrailVersion: { type: String, default: null },
  },
  { timestamps: true, collection: "tenants" },
);
// Plain unique index: FerretDB v1 accepts no partial, sparse or collation options.
tenantSchema.index({ slug: 1 }, { unique: true, name: "slug_unique" });

export type TenantDocument = InferSchemaType<typeof tenantSchema>;
export type TenantModel = Model<TenantDocument>;

/** Models are built on a connection passed in, never on the global mongoose instance. */
export function tenantModel(connection: Connection): TenantModel {
  return (connection.models.Tenant as TenantModel | undefined) ?? connection.model("Tenant", tenantSchema);
}
