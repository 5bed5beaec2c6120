import { startCrmStandIn, type CrmStandIn } from "@tandem/local";
import { Types, type Connection } from "mongoose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { loadRuntimeConfig } from "../src/config/index.js";
import { closeConnection, getConnection } from "../src/database/index.js";
import { userModel } from "../src/identity/index.js";
import { FIRST_RETRY_MS, salesforceLinkModel, syncSalesforce, type SalesforceConfig } from "../src/salesforce/index.js";
import { runAsSystem, withTenant } from "../src/tenancy/index.js";
import { membershipModel, tenantModel } from "../src/tenants/index.js";

/**
 * The CRM sync against a CRM stand-in (tooling/local/src/crm-standin.ts): no real Salesforce org
 * can run here, so a local server speaks the REST API and the OAuth username-password flow the
 * sync uses, and the real jsforce client talks to it.
 */
const SECRETS = { consumerKey: "3MVG9-test-consumer-key", consumerSecret: "consumer-secret-5f1e", username: "integration@example.com", password: "pass-word-9x2", securityToken: "sectoken7Q4" };

let connection: Connection;
let crm: CrmStandIn;
let config: SalesforceConfig;
const T0 = new Date("2026-12-01T10:00:00Z");
const later = (ms: number) => new Date(T0.getTime() + ms);

beforeAll(async () => {
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-salesforce-test` });
  await connection.dropDatabase();
});
afterAll(() => closeConnection());

beforeEach(async () => {
  crm = await startCrmStandIn(SECRETS);
  config = { ...SECRETS, instanceUrl: crm.url };
  for (const name of ["tenants", "memberships", "users", "salesforce_links", "leases"]) await connection.collection(name).deleteMany({});
});
afterEach(() => crm.close());

let sequence = 0;
async function tenantWithOwner(options: { name?: string; tier?: string; status?: string; ownerName?: string; owner?: Types.ObjectId; createdAt?: Date } = {}) {
  sequence += 1;
  const tenant = await tenantModel(connection).create({ slug: `acme-${sequence}`, name: options.name ?? `Acme ${sequence}`, tier: options.tier ?? "basic", status: options.status ?? "active", ...(options.createdAt ? { createdAt: options.createdAt } : {}) });
  let ownerId = options.owner;
  if (!ownerId) {
    const user = await userModel(connection).create({ email: `owner-${sequence}@example.com`, name: options.ownerName ?? "Ada Lovelace" });
    ownerId = user._id;
  }
  await withTenant(String(tenant._id), () => membershipModel(connection).create({ userId: ownerId, role: "owner" }));
  return { tenantId: String(tenant._id), ownerId: String(ownerId) };
}
const link = (tenantId: string) => salesforceLinkModel(connection).findById(tenantId).lean();

describe("the CRM sync (against a CRM stand-in)", () => {
  it("makes a tenant an Account and its first owner a Contact, once", async () => {
    const { tenantId, ownerId } = await tenantWithOwner({ name: "Acme Rockets", tier: "premium", ownerName: "Ada King Lovelace" });
    // A later owner is not the first owner.
    const second = await userModel(connection).create({ email: "second@example.com", name: "Second Owner" });
    await withTenant(tenantId, () => membershipModel(connection).create({ userId: second._id, role: "owner" }));

    const result = await syncSalesforce(connection, config, { now: T0 });
    expect(result).toMatchObject({ checked: 1, accounts: 1, contacts: 1, failed: 0 });
    const [account, ...moreAccounts] = crm.records("Account");
    expect(moreAccounts).toHaveLength(0);
    expect(account).toMatchObject({ Name: "Acme Rockets", Tandem_Tenant_Id__c: tenantId, Tandem_Plan__c: "premium", Tandem_Status__c: "active" });
    const contacts = crm.records("Contact");
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ Tandem_User_Id__c: ownerId, AccountId: account!.Id, Email: (await userModel(connection).findById(ownerId).lean())!.email, FirstName: "Ada King", LastName: "Lovelace" });
    expect(await link(tenantId)).toMatchObject({ accountId: account!.Id, contactId: contacts[0]!.Id, attempts: 0, lastError: null });
    // The OAuth username-password flow, with the password followed by the security token.
    expect(crm.requests[0]).toMatchObject({ method: "POST", path: "/services/oauth2/token", status: 200 });

    // Nothing differs: no call at all, not even a login.
    const before = crm.requests.length;
    expect(await syncSalesforce(connection, config, { now: later(60_000) })).toMatchObject({ upToDate: 1, accounts: 0, contacts: 0 });
    expect(crm.requests.length).toBe(before);
  });

  it("updates the Account when the tier, name or status change, without a second Account", async () => {
    const { tenantId } = await tenantWithOwner({ tier: "basic" });
    await syncSalesforce(connection, config, { now: T0 });
    await tenantModel(connection).updateOne({ _id: tenantId }, { $set: { tier: "premium", status: "suspended" } });

    expect(await syncSalesforce(connection, config, { now: later(60_000) })).toMatchObject({ accounts: 1, contacts: 0 });
    expect(crm.records("Account")).toHaveLength(1);
    expect(crm.records("Account")[0]).toMatchObject({ Tandem_Plan__c: "premium", Tandem_Status__c: "suspended" });
    expect(crm.records("Contact")).toHaveLength(1);
    expect(crm.requests.filter((r) => r.path.includes("/sobjects/Account/")).map((r) => r.status)).toEqual([201, 200]);
  });

  it("records a failure, waits with backoff, and succeeds on a later sweep; other tenants go on", async () => {
    const first = await tenantWithOwner({ createdAt: new Date("2026-01-01T00:00:00Z") });
    const second = await tenantWithOwner({ createdAt: new Date("2026-02-01T00:00:00Z") });
    crm.failNext(1);

    const result = await syncSalesforce(connection, config, { now: T0 });
    expect(result).toMatchObject({ checked: 2, failed: 1, accounts: 1 });
    const links = await Promise.all([link(first.tenantId), link(second.tenantId)]);
    const failed = links.find((l) => l?.lastError)!;
    const passed = links.find((l) => !l?.lastError)!;
    expect(passed).toMatchObject({ attempts: 0 });
    expect(failed).toMatchObject({ attempts: 1, accountId: null });
    expect(failed.lastError).toMatch(/^account: SERVER_UNAVAILABLE/);
    expect(failed.nextAttemptAt).toEqual(later(FIRST_RETRY_MS));

    // Before its next attempt it waits; after it, it is pushed.
    expect(await syncSalesforce(connection, config, { now: later(60_000) })).toMatchObject({ waiting: 1, failed: 0, accounts: 0 });
    crm.failNext(1);
    expect(await syncSalesforce(connection, config, { now: later(FIRST_RETRY_MS) })).toMatchObject({ failed: 1 });
    const again = await salesforceLinkModel(connection).findById(failed._id).lean();
    expect(again).toMatchObject({ attempts: 2, nextAttemptAt: later(FIRST_RETRY_MS + 2 * FIRST_RETRY_MS) });
    expect(await syncSalesforce(connection, config, { now: later(FIRST_RETRY_MS * 3) })).toMatchObject({ accounts: 1, contacts: 1, failed: 0 });
    expect(await salesforceLinkModel(connection).findById(failed._id).lean()).toMatchObject({ attempts: 0, lastError: null, nextAttemptAt: null });
    expect(crm.records("Account")).toHaveLength(2);
    expect(crm.records("Contact")).toHaveLength(2);
  });

  it("keeps exactly one Account when two sweepers run at once", async () => {
    const { tenantId } = await tenantWithOwner();
    crm.setLatency(150);
    const [a, b] = await Promise.all([syncSalesforce(connection, config, { now: T0 }), syncSalesforce(connection, config, { now: T0 })]);
    expect(crm.records("Account")).toHaveLength(1);
    expect(crm.records("Contact")).toHaveLength(1);
    // The tenant's lease let one sweeper push it; the other found it busy or already pushed.
    expect(a!.accounts + b!.accounts).toBe(1);
    expect(a!.busy + b!.busy + a!.upToDate + b!.upToDate).toBe(1);
    expect(crm.requests.filter((r) => r.method === "PATCH" && r.path.includes("/Account/"))).toHaveLength(1);
    expect((await link(tenantId))?.accountId).toBe(crm.records("Account")[0]!.Id);
  });

  it("keeps exactly one Account after a crash between Salesforce's write and the link's", async () => {
    const { tenantId } = await tenantWithOwner();
    await syncSalesforce(connection, config, { now: T0 });
    const accountId = crm.records("Account")[0]!.Id;
    // A crash right after the upserts: the CRM has the records, the link was never written.
    await salesforceLinkModel(connection).deleteMany({});

    expect(await syncSalesforce(connection, config, { now: later(60_000) })).toMatchObject({ accounts: 1, contacts: 1, failed: 0 });
    expect(crm.records("Account")).toHaveLength(1);
    expect(crm.records("Contact")).toHaveLength(1);
    expect((await link(tenantId))?.accountId).toBe(accountId);
  });

  it("records a refused login without any secret in it, and pushes nothing", async () => {
    const { tenantId } = await tenantWithOwner();
    const wrong = { ...config, password: "wrong-password-1", securityToken: "wrongtoken99" };
    expect(await syncSalesforce(connection, wrong, { now: T0 })).toMatchObject({ failed: 1, accounts: 0 });
    const recorded = await link(tenantId);
    expect(recorded?.lastError).toBe("login: invalid_grant: authentication failure");
    expect(recorded).toMatchObject({ attempts: 1, accountId: null });

    const badClient = { ...config, consumerSecret: "another-secret-77" };
    await syncSalesforce(connection, badClient, { now: later(FIRST_RETRY_MS) });
    const text = JSON.stringify(await link(tenantId));
    expect(text).toContain("invalid_client");
    for (const secret of [...Object.values(SECRETS), "wrong-password-1", "wrongtoken99", "another-secret-77"]) expect(text).not.toContain(secret);
    expect(crm.records("Account")).toHaveLength(0);
  });

  it("logs in again when the session expires", async () => {
    await tenantWithOwner();
    await syncSalesforce(connection, config, { now: T0 });
    await tenantModel(connection).updateMany({}, { $set: { name: "Renamed" } });
    // A new sweep logs in afresh; jsforce also re-logs in by itself on 401 INVALID_SESSION_ID.
    crm.expireSessions();
    expect(await syncSalesforce(connection, config, { now: later(60_000) })).toMatchObject({ accounts: 1, failed: 0 });
    expect(crm.records("Account")[0]).toMatchObject({ Name: "Renamed" });
  });

  it("makes one Contact of a person who first-owns two tenants, on the older tenant's Account", async () => {
    const older = await tenantWithOwner({ createdAt: new Date("2026-01-01T00:00:00Z") });
    const newer = await tenantWithOwner({ owner: new Types.ObjectId(older.ownerId), createdAt: new Date("2026-03-01T00:00:00Z") });
    expect(await syncSalesforce(connection, config, { now: T0 })).toMatchObject({ accounts: 2, failed: 0 });
    expect(crm.records("Contact")).toHaveLength(1);
    const olderAccount = crm.records("Account").find((a) => a.Tandem_Tenant_Id__c === older.tenantId)!;
    expect(crm.records("Contact")[0]).toMatchObject({ AccountId: olderAccount.Id });
    expect((await link(newer.tenantId))?.contactId).toBe(crm.records("Contact")[0]!.Id);
  });

  it("pushes a tenant without an owner yet, and adds the Contact when one joins", async () => {
    const tenant = await tenantModel(connection).create({ slug: "no-owner-yet", name: "Registered Co", tier: "advanced", status: "provisioning" });
    expect(await syncSalesforce(connection, config, { now: T0 })).toMatchObject({ accounts: 1, contacts: 0 });
    const user = await userModel(connection).create({ email: "late@example.com", name: "Grace" });
    await withTenant(String(tenant._id), () => membershipModel(connection).create({ userId: user._id, role: "owner" }));
    expect(await syncSalesforce(connection, config, { now: later(60_000) })).toMatchObject({ accounts: 0, contacts: 1 });
    expect(crm.records("Contact")[0]).toMatchObject({ LastName: "Grace", FirstName: null, AccountId: crm.records("Account")[0]!.Id });
  });

  it("never creates an Account for a tenant that is already offboarded", async () => {
    await tenantWithOwner({ status: "offboarded" });
    expect(await syncSalesforce(connection, config, { now: T0 })).toMatchObject({ upToDate: 1, accounts: 0 });
    expect(crm.requests).toHaveLength(0);
  });

  it("reads the id back when an older API version answers an update with 204", async () => {
    const { tenantId } = await tenantWithOwner();
    await syncSalesforce(connection, config, { now: T0, apiVersion: "45.0" });
    await salesforceLinkModel(connection).deleteMany({});
    expect(await syncSalesforce(connection, config, { now: later(60_000), apiVersion: "45.0" })).toMatchObject({ accounts: 1, failed: 0 });
    expect(crm.requests.some((r) => r.method === "PATCH" && r.status === 204)).toBe(true);
    expect((await link(tenantId))?.accountId).toBe(crm.records("Account")[0]!.Id);
  });

  it("does nothing unless every SF_* secret is set", async () => {
    await tenantWithOwner();
    const partial = loadRuntimeConfig({ SST_STAGE: "dev", MONGODB_URI: "mongodb://localhost/x", SESSION_SECRET: "s".repeat(32), JWT_SECRET: "j".repeat(32), SF_USERNAME: "integration@example.com" });
    expect(partial.salesforce).toBeUndefined();
    expect(await syncSalesforce(connection, partial.salesforce)).toBeUndefined();
    expect(crm.requests).toHaveLength(0);
    expect(await runAsSystem("test: count links", () => salesforceLinkModel(connection).countDocuments())).toBe(0);
  });
});
