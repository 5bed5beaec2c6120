import type { Connection as JsforceConnection } from "jsforce";
import type { Connection } from "mongoose";
import { isDuplicateKeyError, withLease } from "../database/index.js";
import { ConflictError } from "../errors/index.js";
import { userModel } from "../identity/model.js";
import { runAsSystem } from "../tenancy/index.js";
import { membershipModel } from "../tenants/membership.js";
import { tenantModel } from "../tenants/model.js";
import { ACCOUNT_EXTERNAL_ID, CONTACT_EXTERNAL_ID, describeFailure, openSalesforce, SALESFORCE_API_VERSION, upsertByExternalId, type SalesforceConfig } from "./client.js";
import { salesforceLinkModel, type SalesforceLink, type SyncedAccount, type SyncedContact } from "./model.js";

export interface SalesforceSyncOptions {
  readonly now?: Date;
  /** Tenants pushed at most in one sweep (default 100); the rest wait for the next. */
  readonly limit?: number;
  /** Longest wait for one call to Salesforce (default 20 s). */
  readonly timeoutMs?: number;
  /** No tenant is started after this long (default 2 minutes; the housekeeping function has 5). */
  readonly budgetMs?: number;
  /** REST API version (default SALESFORCE_API_VERSION). */
  readonly apiVersion?: string;
  /** Where failures are told (one line each: tenant id and the short reason); silent by default. */
  readonly log?: (level: "info" | "warn", fields: Record<string, unknown>, message: string) => void;
}

export interface SalesforceSyncResult {
  /** Tenants compared with their links. */
  readonly checked: number;
  /** Tenants whose Account and Contact already say what the tenant says (or that never need one). */
  readonly upToDate: number;
  /** Tenants that differ but wait for their next attempt after a failure (backoff). */
  readonly waiting: number;
  /** Account upserts and Contact upserts that succeeded. */
  readonly accounts: number;
  readonly contacts: number;
  /** Tenants whose push failed this time (recorded, retried later). */
  readonly failed: number;
  /** Tenants another sweeper was pushing at that moment. */
  readonly busy: number;
  /** Tenants left for the next sweep (over the limit or the time budget). */
  readonly deferred: number;
}

/** First retry after 5 minutes, doubling each failure, at most a day apart. */
export const FIRST_RETRY_MS = 5 * 60_000;
export const MAX_RETRY_MS = 24 * 60 * 60_000;
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

interface Wanted {
  readonly tenantId: string;
  readonly account: SyncedAccount;
  readonly contact: SyncedContact | null;
  /** Offboarding or offboarded: an Account is kept up to date but never created. */
  readonly gone: boolean;
}

// Salesforce's field lengths: Account.Name 255, Contact.FirstName 40, LastName 80, Email 80.
const cut = (value: string, max: number) => (value.length > max ? value.slice(0, max) : value);

function splitName(name: string | undefined, email: string): { firstName: string | null; lastName: string } {
  const parts = (name ?? "").trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return { firstName: null, lastName: cut(email.split("@")[0] || email, 80) };
  if (parts.length === 1) return { firstName: null, lastName: cut(parts[0]!, 80) };
  return { firstName: cut(parts.slice(0, -1).join(" "), 40), lastName: cut(parts.at(-1)!, 80) };
}

const time = (d: unknown) => (d instanceof Date ? d.getTime() : 0);

/**
 * What every tenant should look like in Salesforce: its Account (name, tier as the plan, status)
 * and its first owner (the owner membership made first) as a Contact. A person who is the first
 * owner of several tenants is one Contact (one external id per user), on the Account of the oldest
 * of them. Four reads whatever the number of tenants: tenants, owner memberships, their users, links.
 */
async function wantedState(connection: Connection): Promise<Wanted[]> {
  const tenants = await tenantModel(connection).find({}, { name: 1, tier: 1, status: 1, createdAt: 1 }).lean();
  const owners = await membershipModel(connection).find({ role: "owner" }, { tenantId: 1, userId: 1, createdAt: 1 }).lean();
  const firstOwner = new Map<string, { userId: string; at: number; id: string }>();
  for (const m of owners) {
    const tenantId = String(m.tenantId);
    const candidate = { userId: String(m.userId), at: time(m.createdAt), id: String(m._id) };
    const current = firstOwner.get(tenantId);
    if (!current || candidate.at < current.at || (candidate.at === current.at && candidate.id < current.id)) firstOwner.set(tenantId, candidate);
  }
  const userIds = [...new Set([...firstOwner.values()].map((o) => o.userId))];
  const users = new Map<string, { email: string; name?: string }>();
  for (let i = 0; i < userIds.length; i += 500) {
    const found = await userModel(connection).find({ _id: { $in: userIds.slice(i, i + 500) } }, { email: 1, name: 1 }).lean();
    for (const u of found) users.set(String(u._id), { email: u.email, name: u.name });
  }
  // The oldest tenant each person first-owns sets their Contact's Account.
  const ordered = [...tenants].sort((a, b) => time(a.createdAt) - time(b.createdAt) || String(a._id).localeCompare(String(b._id)));
  const primaryOf = new Map<string, string>();
  for (const t of ordered) {
    const owner = firstOwner.get(String(t._id));
    if (owner && users.has(owner.userId) && !primaryOf.has(owner.userId)) primaryOf.set(owner.userId, String(t._id));
  }
  return tenants.map((t) => {
    const tenantId = String(t._id);
    const owner = firstOwner.get(tenantId);
    const user = owner && users.get(owner.userId);
    const contact: SyncedContact | null =
      owner && user ? { userId: owner.userId, email: cut(user.email, 80), ...splitName(user.name, user.email), primary: primaryOf.get(owner.userId) === tenantId } : null;
    return {
      tenantId,
      account: { name: cut(t.name, 255), plan: t.tier ?? "basic", status: t.status },
      contact,
      gone: t.status === "offboarding" || t.status === "offboarded",
    };
  });
}

const sameAccount = (a: SyncedAccount | null | undefined, b: SyncedAccount) => Boolean(a) && a!.name === b.name && a!.plan === b.plan && a!.status === b.status;
const sameContact = (a: SyncedContact | null | undefined, b: SyncedContact) =>
  Boolean(a) && a!.userId === b.userId && a!.email === b.email && a!.firstName === b.firstName && a!.lastName === b.lastName && a!.primary === b.primary;

/**
 * Writes a tenant's link, creating it with every field first when it does not exist yet (an insert
 * whose duplicate-key error means another sweeper made it: FerretDB v1 drops null values of an
 * upsert's $setOnInsert, so a plain upsert would leave fields missing).
 */
async function writeLink(connection: Connection, tenantId: string, exists: boolean, set: Record<string, unknown>): Promise<void> {
  const links = salesforceLinkModel(connection);
  if (!exists) {
    try {
      await links.create({ _id: tenantId });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  await links.updateOne({ _id: tenantId }, { $set: set });
}

/** What a tenant's push must do, given its link; nothing when both already match (or it is gone and never synced). */
function needs(want: Wanted, link: SalesforceLink | null | undefined): { account: boolean; contact: boolean } {
  if (want.gone && !link?.accountId) return { account: false, contact: false };
  const account = !link?.accountId || !sameAccount(link.account, want.account);
  const contact = Boolean(want.contact) && (!link?.contactId || !sameContact(link.contact, want.contact!));
  return { account, contact };
}

/**
 * The CRM sync, a sweeper (the hourly housekeeping runs it when every SF_* secret is set): compares
 * each tenant's name, tier, status and first owner with what its `salesforce_links` record says
 * was pushed, and pushes what differs through jsforce: the Account upserted by the external id
 * Tandem_Tenant_Id__c (Name, Tandem_Plan__c, Tandem_Status__c), the first owner's Contact by
 * Tandem_User_Id__c (AccountId, Email, FirstName, LastName). Upserts by external id make a repeat
 * harmless, so a crash between Salesforce's write and the link's never makes a second Account; a
 * per-tenant lease keeps two sweepers from pushing the same tenant at once. A failure is recorded
 * on the tenant's link (attempts, a short reason without secrets, the next attempt after an
 * exponential backoff) and the sweep goes on with the next tenant. It never runs inside a request,
 * so onboarding and billing never wait for Salesforce or fail with it. Returns undefined, having
 * done nothing, when `config` is undefined (the SF_* secrets are not all set).
 */
export async function syncSalesforce(connection: Connection, config: SalesforceConfig | undefined, options: SalesforceSyncOptions = {}): Promise<SalesforceSyncResult | undefined> {
  if (!config) return undefined;
  const now = options.now ?? new Date();
  const limit = options.limit ?? 100;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + (options.budgetMs ?? 120_000);
  const log = options.log ?? (() => undefined);
  const links = salesforceLinkModel(connection);

  return runAsSystem("salesforce sync: every tenant's Account and first owner", async () => {
    const wanted = await wantedState(connection);
    const linkOf = new Map((await links.find({}).lean()).map((l) => [String(l._id), l as SalesforceLink]));
    const counts = { checked: wanted.length, upToDate: 0, waiting: 0, accounts: 0, contacts: 0, failed: 0, busy: 0, deferred: 0 };

    const due: Wanted[] = [];
    for (const want of wanted) {
      const link = linkOf.get(want.tenantId);
      const need = needs(want, link);
      if (!need.account && !need.contact) counts.upToDate += 1;
      else if (link?.nextAttemptAt && link.nextAttemptAt > now) counts.waiting += 1;
      else due.push(want);
    }
    // Never tried first, then the longest waiting: a tenant that keeps failing does not starve the others.
    due.sort((a, b) => time(linkOf.get(a.tenantId)?.lastAttemptAt) - time(linkOf.get(b.tenantId)?.lastAttemptAt));
    const batch = due.slice(0, limit);
    counts.deferred = due.length - batch.length;
    if (batch.length === 0) return counts;

    async function recordFailure(tenantId: string, exists: boolean, attempts: number, reason: string, progress: Partial<SalesforceLink>): Promise<void> {
      const next = attempts + 1;
      await writeLink(connection, tenantId, exists, { ...progress, attempts: next, lastError: reason, lastAttemptAt: now, nextAttemptAt: new Date(now.getTime() + retryDelayMs(next)) });
      counts.failed += 1;
      log("warn", { tenantId, attempts: next, reason }, "salesforce sync failed; retried later");
    }

    let session: JsforceConnection;
    try {
      session = await openSalesforce(config, timeoutMs, options.apiVersion ?? SALESFORCE_API_VERSION);
    } catch (error) {
      // No tenant can be pushed: each in this batch records why and waits for its next attempt.
      const reason = describeFailure("login", error, config);
      for (const want of batch) {
        const link = linkOf.get(want.tenantId);
        await recordFailure(want.tenantId, Boolean(link), link?.attempts ?? 0, reason, {});
      }
      return counts;
    }

    for (const [index, want] of batch.entries()) {
      if (Date.now() > deadline) {
        counts.deferred += batch.length - index;
        break;
      }
      try {
        await withLease(connection, `salesforce:${want.tenantId}`, () => push(want), { ttlMs: 4 * timeoutMs + 10_000, waitMs: 0, what: "This tenant's CRM sync" });
      } catch (error) {
        if (error instanceof ConflictError && error.code === "resource.busy") counts.busy += 1;
        else throw error;
      }
    }
    return counts;

    /** One tenant, under its lease: read the link again (another sweeper may have just pushed it), push what differs, record. */
    async function push(want: Wanted): Promise<void> {
      const link = (await links.findById(want.tenantId).lean()) as SalesforceLink | null;
      const need = needs(want, link);
      if (!need.account && !need.contact) {
        counts.upToDate += 1;
        return;
      }
      if (link?.nextAttemptAt && link.nextAttemptAt > now && time(link.lastAttemptAt) !== time(linkOf.get(want.tenantId)?.lastAttemptAt)) {
        counts.waiting += 1; // another sweeper failed it since this one read the links
        return;
      }
      const progress: { accountId?: string; account?: SyncedAccount; contactId?: string; contact?: SyncedContact } = {};
      let step = "account";
      try {
        let accountId = link?.accountId ?? undefined;
        if (need.account) {
          accountId = await upsertByExternalId(session, "Account", ACCOUNT_EXTERNAL_ID, want.tenantId, { Name: want.account.name, Tandem_Plan__c: want.account.plan, Tandem_Status__c: want.account.status }, timeoutMs);
          progress.accountId = accountId;
          progress.account = want.account;
          counts.accounts += 1;
        }
        if (need.contact && want.contact && accountId) {
          step = "contact";
          const c = want.contact;
          const contactId = await upsertByExternalId(
            session,
            "Contact",
            CONTACT_EXTERNAL_ID,
            c.userId,
            { Email: c.email, FirstName: c.firstName, LastName: c.lastName, ...(c.primary ? { AccountId: accountId } : {}) },
            timeoutMs,
          );
          progress.contactId = contactId;
          progress.contact = c;
          counts.contacts += 1;
        }
      } catch (error) {
        await recordFailure(want.tenantId, Boolean(link), link?.attempts ?? 0, describeFailure(step, error, config!), progress);
        return;
      }
      await writeLink(connection, want.tenantId, Boolean(link), { ...progress, attempts: 0, lastError: null, lastAttemptAt: now, nextAttemptAt: null, syncedAt: now });
      log("info", { tenantId: want.tenantId, accountId: progress.accountId ?? link?.accountId, contactId: progress.contactId ?? link?.contactId }, "salesforce sync pushed a tenant");
    }
  });
}
