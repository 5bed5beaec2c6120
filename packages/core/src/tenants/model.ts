import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";

/**
 * A tenant's lifecycle (control-plane/lifecycle.ts says which moves are allowed): provisioning
 * (registered through the control plane, not yet set up), active, suspended (deactivated: no one
 * signs in), failed (provisioning or offboarding failed; retried), offboarding, offboarded.
 */
export const TENANT_STATUSES = ["provisioning", "active", "suspended", "failed", "offboarding", "offboarded"] as const;

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
    // Models by group of members (groups/policy.ts): [{ groupId, modelIds }]; a member in one of these
    // groups may use its models instead of allowedModelIds.
    groupModels: { type: [Schema.Types.Mixed], default: [] },
    // From the control plane (SBT's tenant record): the tier that drives limits, and whom to invite as owner.
    tier: { type: String, default: "basic" },
    email: { type: String, default: null },
    // The registration request's digest when it came with an Idempotency-Key: a replay must match it.
    requestHash: { type: String, default: null },
    // Why it failed, and in which phase a retry resumes.
    // { reason, during }
    failure: { type: Schema.Types.Mixed, default: null },
    // Every move of its status: when, who, why (append-only; written with the move itself).
    // [{ from, to, at, actor, cause }]
    transitions: { type: [Schema.Types.Mixed], default: [] },
    // Events recorded with the move that caused them and removed once published (an outbox in the
    // document, so the move and its events are one write); a sweeper publishes what a crash left.
    // [{ id, source, detailType, detail (JSON), at }]
    outbox: { type: [Schema.Types.Mixed], default: [] },
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
