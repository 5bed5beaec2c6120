import { Schema, type Connection, type Model, type Types } from "mongoose";
import type { AuditActorKind, AuditOutcome } from "@tandem/client/contract";

/**
 * The audit log's three collections. Entries are not tenant-scoped through the tenancy plugin:
 * their `tenantId` is a chain's key (an organisation's id, or "system"), every query names it or
 * deliberately reads across chains (operators), and offboarding leaves them for retention to remove.
 */
export const SYSTEM_CHAIN = "system";
/** The prevHash of a chain's first entry. */
export const GENESIS_HASH = "0".repeat(64);

export interface AuditActor {
  readonly kind: AuditActorKind;
  readonly id: string;
  readonly email?: string;
}

export interface AuditTarget {
  readonly type: string;
  readonly id: string;
}

export type AuditDetails = Readonly<Record<string, string | number>>;

/** What is stored (and hashed), apart from the hash itself and the database's _id. */
export interface AuditRecord {
  tenantId: string;
  seq: number;
  at: Date;
  actor: AuditActor;
  action: string;
  target?: AuditTarget;
  address?: string;
  outcome: AuditOutcome;
  details: AuditDetails;
  prevHash: string;
}

export interface AuditEntryDocument extends AuditRecord {
  _id: Types.ObjectId;
  hash: string;
}

const entrySchema = new Schema<AuditEntryDocument>(
  {
    tenantId: { type: String, required: true },
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    actor: { type: new Schema({ kind: { type: String, required: true }, id: { type: String, required: true }, email: { type: String } }, { _id: false }), required: true },
    action: { type: String, required: true },
    target: { type: new Schema({ type: { type: String, required: true }, id: { type: String, required: true } }, { _id: false }) },
    address: { type: String },
    outcome: { type: String, required: true },
    details: { type: Schema.Types.Mixed, default: () => ({}) },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  // minimize: false keeps an empty `details` as {}, so what is read back is what was hashed.
  { collection: "audit_entries", versionKey: false, minimize: false },
);
// Decides races between appends: two writers cannot both take the next number of a chain.
entrySchema.index({ tenantId: 1, seq: 1 }, { unique: true, name: "tenant_seq_unique" });
entrySchema.index({ tenantId: 1, at: -1 }, { name: "tenant_at" });
entrySchema.index({ at: -1 }, { name: "at" });

/** Where each chain ended when it was last appended to: a hint that saves reading the chain (it may lag; the entries are the truth). */
export interface AuditHead {
  _id: string;
  seq: number;
  hash: string;
}
const headSchema = new Schema<AuditHead>({ _id: { type: String, required: true }, seq: { type: Number, required: true }, hash: { type: String, required: true } }, { collection: "audit_heads", versionKey: false });

/** Per chain, the last entry pruned by retention: verification starts from it. */
export interface AuditAnchor {
  _id: string;
  seq: number;
  hash: string;
  at: Date;
  prunedAt: Date;
}
const anchorSchema = new Schema<AuditAnchor>(
  { _id: { type: String, required: true }, seq: { type: Number, required: true }, hash: { type: String, required: true }, at: { type: Date, required: true }, prunedAt: { type: Date, required: true } },
  { collection: "audit_anchors", versionKey: false },
);

export function auditEntryModel(connection: Connection): Model<AuditEntryDocument> {
  return (connection.models.AuditEntry as Model<AuditEntryDocument> | undefined) ?? connection.model<AuditEntryDocument>("AuditEntry", entrySchema);
}

export function auditHeadModel(connection: Connection): Model<AuditHead> {
  return (connection.models.AuditHead as Model<AuditHead> | undefined) ?? connection.model<AuditHead>("AuditHead", headSchema);
}

export function auditAnchorModel(connection: Connection): Model<AuditAnchor> {
  return (connection.models.AuditAnchor as Model<AuditAnchor> | undefined) ?? connection.model<AuditAnchor>("AuditAnchor", anchorSchema);
}
