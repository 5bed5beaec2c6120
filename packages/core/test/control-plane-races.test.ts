import type { Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  createControlPlaneUser,
  createRegistration,
  deactivateTenant,
  getRegistration,
  offboardTenant,
  putTier,
  registerTenant,
  setControlPlaneUserEnabled,
  transitionTenant,
  updateControlPlaneUser,
  updateRegistration,
  updateTenantRecord,
  type EventPublisher,
} from "../src/control-plane/index.js";
import { closeConnection, getConnection } from "../src/database/index.js";
import { renameAccount } from "../src/identity/accounts.js";
import { userModel } from "../src/identity/model.js";
import { withTenant } from "../src/tenancy/index.js";
import { changeRole, membershipModel, OPERATOR, removeMember, renameOrganisation, tenantModel } from "../src/tenants/index.js";

/**
 * The tenant lifecycle when writes race, on the engine the suite runs (FerretDB v1 rewrites a
 * document whole on update, so a conditional update alone does not keep two at once apart): every
 * move that answers success is recorded, and the status is the last recorded move's.
 */
let connection: Connection;
const bus: EventPublisher = { publish: async (events) => events.map((e) => e.id) };
const by = (cause: string) => ({ actor: "system", cause });

beforeAll(async () => {
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-control-plane-races-test` });
  await connection.dropDatabase();
});
afterAll(() => closeConnection());

async function activeTenant(name: string): Promise<string> {
  const { tenant } = await registerTenant(connection, { tenantName: name, email: "owner@race.test" }, by("test"));
  await transitionTenant(connection, tenant.tenantId, "active", by("provisioned"), () => []);
  return tenant.tenantId;
}

async function record(tenantId: string) {
  const doc = (await tenantModel(connection).findById(tenantId).lean())!;
  return { status: doc.status, name: doc.name, moves: (doc.transitions as Array<{ to: string }>).map((t) => t.to) };
}

describe("racing writes of one tenant", () => {
  it("deactivate and offboard at once, in eight tenants: each success is a recorded move, and the status is the last", async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => activeTenant(`Race ${i}`)));
    for (const id of ids) {
      const results = await Promise.allSettled([deactivateTenant(connection, id, by("deactivated"), bus), offboardTenant(connection, id, by("offboarding"), bus)]);
      const succeeded = results.filter((r) => r.status === "fulfilled").length;
      const { status, moves } = await record(id);
      expect(moves).toHaveLength(2 + succeeded);
      expect(status).toBe(moves.at(-1));
      // Offboarding wins either way: directly, or after the suspension.
      expect(status).toBe("offboarding");
    }
  });

  it("a rename or a PUT at the moment of a suspension keeps both", async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => activeTenant(`Rename ${i}`)));
    for (const [i, id] of ids.entries()) {
      const write = i % 2 ? renameOrganisation(connection, id, "Renamed") : updateTenantRecord(connection, id, { tenantName: "Renamed" });
      await Promise.all([deactivateTenant(connection, id, by("deactivated"), bus), write]);
      expect(await record(id)).toMatchObject({ status: "suspended", name: "Renamed", moves: ["provisioning", "active", "suspended"] });
    }
  });
});

/** A tenant with these people as its members (accounts made here), in the given roles. */
async function tenantWith(name: string, roles: Array<"owner" | "admin" | "member">): Promise<{ tenantId: string; userIds: string[] }> {
  const tenantId = await activeTenant(name);
  const userIds: string[] = [];
  for (const [i, role] of roles.entries()) {
    const user = await userModel(connection).create({ email: `p${i}.${tenantId}@race.test`, name: `Person ${i}` });
    await withTenant(tenantId, () => membershipModel(connection).create({ userId: user._id, role }));
    userIds.push(String(user._id));
  }
  return { tenantId, userIds };
}

describe("racing writes of the control plane's people and registrations", () => {
  it("a role change naming the tenant in capitals and a removal at once leave the tenant an owner", async () => {
    for (let i = 0; i < 4; i++) {
      const { tenantId, userIds } = await tenantWith(`Owners ${i}`, ["owner", "owner"]);
      await Promise.allSettled([changeRole(connection, tenantId.toUpperCase(), OPERATOR, userIds[0]!, { role: "member" }), removeMember(connection, tenantId, OPERATOR, userIds[1]!)]);
      expect(await withTenant(tenantId, () => membershipModel(connection).countDocuments({ role: "owner" }))).toBe(1);
    }
  });

  it("two people added at the last member place, one naming the tenant in capitals, take it once", async () => {
    await putTier(connection, "pair", { limits: { members: 2, files: null, models: [] } });
    for (let i = 0; i < 12; i++) {
      const { tenantId } = await tenantWith(`Pair ${i}`, ["owner"]);
      await updateTenantRecord(connection, tenantId, { tier: "pair" });
      const add = (n: number, id: string) => createControlPlaneUser(connection, { email: `joiner${n}.${tenantId}@race.test`, tenantId: id });
      const results = await Promise.allSettled([add(1, tenantId.toUpperCase()), add(2, tenantId)]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect(await withTenant(tenantId, () => membershipModel(connection).countDocuments())).toBe(2);
    }
  });

  it("two PATCHes of one registration's fields at once keep both", async () => {
    for (let i = 0; i < 4; i++) {
      const { registration } = await createRegistration(connection, { tenantData: { tenantName: `Patched ${i}`, email: "owner@race.test" }, tenantRegistrationData: { plan: "a" } }, { actor: "system", cause: "test" });
      const id = registration.tenantRegistrationId;
      await Promise.all([updateRegistration(connection, id, { tenantRegistrationData: { seats: 3 } }), updateRegistration(connection, id, { tenantRegistrationData: { region: "eu" } })]);
      expect((await getRegistration(connection, id)).data.tenantRegistrationData).toEqual({ plan: "a", seats: 3, region: "eu" });
    }
    // At 19 fields, two PATCHes adding one each: one is refused, the registration keeps 20.
    const nineteen = Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`f${i}`, i]));
    const { registration } = await createRegistration(connection, { tenantData: { tenantName: "Full Up", email: "owner@race.test" }, tenantRegistrationData: nineteen }, { actor: "system", cause: "test" });
    const id = registration.tenantRegistrationId;
    const results = await Promise.allSettled([updateRegistration(connection, id, { tenantRegistrationData: { x: 1 } }), updateRegistration(connection, id, { tenantRegistrationData: { y: 2 } })]);
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(["control_plane.registration_full"]);
    expect(Object.keys((await getRegistration(connection, id)).data.tenantRegistrationData)).toHaveLength(20);
  });

  it("a disable at the moment of a rename (the control plane's, or the person's own) stays disabled, and the rename stays too", async () => {
    for (let i = 0; i < 16; i++) {
      const { userIds } = await tenantWith(`Disable ${i}`, ["owner", "member"]);
      const userId = userIds[1]!;
      const rename = i % 2 ? renameAccount(connection, userId, "Renamed") : updateControlPlaneUser(connection, userId, { userName: "Renamed" });
      await Promise.all([setControlPlaneUserEnabled(connection, userId, false), rename]);
      expect(await userModel(connection).findById(userId).select({ status: 1, name: 1 }).lean()).toMatchObject({ status: "disabled", name: "Renamed" });
    }
  });
});
