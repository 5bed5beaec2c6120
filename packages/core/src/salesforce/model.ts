import { Schema, type Connection, type Model, type Types } from "mongoose";

/**
 * What the CRM sync last pushed for one tenant (`salesforce_links`, one document per tenant, its
 * `_id` the tenant's id, so the primary key decides two sweepers creating it at once). The sweeper
 * compares a tenant's current name, tier, status and first owner with `account` and `contact`
 * here and pushes only what differs. A failure keeps what was pushed before, counts the attempt,
 * keeps a short reason (never a secret) and waits until `nextAttemptAt` (exponential backoff).
 * Not tenant-owned data: it belongs to the operator's CRM, and outlives an offboarded tenant so its
 * Account can say "offboarded".
 */
export interface SyncedAccount {
  readonly name: string;
  readonly plan: string;
  readonly status: string;
}

export interface SyncedContact {
  readonly userId: string;
  readonly email: string;
  readonly firstName: string | null;
  readonly lastName: string;
  /** Whether this tenant set the Contact's AccountId (a person who first-owns several tenants is one Contact, on the oldest one's Account). */
  readonly primary: boolean;
}

export interface SalesforceLink {
  _id: Types.ObjectId;
  accountId: string | null;
  contactId: string | null;
  account: SyncedAccount | null;
  contact: SyncedContact | null;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  syncedAt: Date | null;
}

const linkSchema = new Schema<SalesforceLink>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    accountId: { type: String, default: null },
    contactId: { type: String, default: null },
    // { name, plan, status } as last pushed to the Account.
    account: { type: Schema.Types.Mixed, default: null },
    // { userId, email, firstName, lastName, primary } as last pushed to the Contact.
    contact: { type: Schema.Types.Mixed, default: null },
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null },
    lastAttemptAt: { type: Date, default: null },
    nextAttemptAt: { type: Date, default: null },
    syncedAt: { type: Date, default: null },
  },
  { collection: "salesforce_links", versionKey: false },
);

export function salesforceLinkModel(connection: Connection): Model<SalesforceLink> {
  return (connection.models.SalesforceLink as Model<SalesforceLink> | undefined) ?? connection.model<SalesforceLink>("SalesforceLink", linkSchema);
}
