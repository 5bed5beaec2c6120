import { Types, type Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { closeConnection, getConnection } from "../src/database/index.js";
import { runAsSystem, TenantScopeError, withTenant } from "../src/tenancy/index.js";
import { membershipModel } from "../src/tenants/index.js";

const uri = `${inject("mongodbUri")}/core-tenancy-test`;
let connection: Connection;
const tenantA = new Types.ObjectId().toString();
const tenantB = new Types.ObjectId().toString();
const ada = new Types.ObjectId();
const bob = new Types.ObjectId();

beforeAll(async () => {
  connection = await getConnection({ uri });
  await connection.dropDatabase();
  await membershipModel(connection).init();
  const members = membershipModel(connection);
  await withTenant(tenantA, () => members.create({ userId: ada, role: "owner" }));
  await withTenant(tenantB, () => members.create({ userId: bob, role: "owner" }));
});
afterAll(() => closeConnection());

describe("the tenancy guard", () => {
  it("refuses unscoped reads, writes and aggregates instead of running them across tenants", async () => {
    const members = membershipModel(connection);
    await expect(members.find({})).rejects.toBeInstanceOf(TenantScopeError);
    await expect(members.countDocuments()).rejects.toBeInstanceOf(TenantScopeError);
    await expect(members.updateMany({}, { role: "admin" })).rejects.toBeInstanceOf(TenantScopeError);
    await expect(members.deleteMany({})).rejects.toBeInstanceOf(TenantScopeError);
    await expect(members.aggregate([{ $match: {} }])).rejects.toBeInstanceOf(TenantScopeError);
    await expect(members.create({ userId: new Types.ObjectId() })).rejects.toBeInstanceOf(TenantScopeError);
    await expect(members.insertMany([{ userId: new Types.ObjectId() }])).rejects.toBeInstanceOf(TenantScopeError);
  });

  it("shows a tenant only its own documents", async () => {
    const members = membershipModel(connection);
    const seenByA = await withTenant(tenantA, () => members.find({}).lean());
    expect(seenByA.map((m) => String(m.userId))).toEqual([String(ada)]);
    expect(await withTenant(tenantA, () => members.findOne({ userId: bob }))).toBeNull();
    const counted = await withTenant(tenantB, () => members.aggregate<{ n: number }>([{ $count: "n" }]));
    expect(counted).toEqual([{ n: 1 }]);
  });

  it("cannot change or delete another tenant's documents, nor move one across", async () => {
    const members = membershipModel(connection);
    const result = await withTenant(tenantA, () => members.updateOne({ userId: bob }, { role: "member" }));
    expect(result.matchedCount).toBe(0);
    const deleted = await withTenant(tenantA, () => members.deleteOne({ userId: bob }));
    expect(deleted.deletedCount).toBe(0);
    await expect(withTenant(tenantA, () => members.find({ tenantId: tenantB }))).rejects.toBeInstanceOf(TenantScopeError);
    await expect(withTenant(tenantA, () => members.updateOne({ userId: ada }, { $set: { tenantId: tenantB } }))).rejects.toBeInstanceOf(TenantScopeError);
    expect(await withTenant(tenantB, () => members.countDocuments({ userId: bob, role: "owner" }))).toBe(1);
  });

  it("keeps one membership per user and organisation", async () => {
    const members = membershipModel(connection);
    await expect(withTenant(tenantA, () => members.create({ userId: ada, role: "member" }))).rejects.toMatchObject({ code: 11000 });
  });

  it("crosses tenants only inside runAsSystem", async () => {
    const members = membershipModel(connection);
    const all = await runAsSystem("test: list every membership", () => members.find({}).lean());
    expect(all).toHaveLength(2);
  });
});
