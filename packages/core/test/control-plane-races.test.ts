import type { Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { deactivateTenant, offboardTenant, registerTenant, transitionTenant, updateTenantRecord, type EventPublisher } from "../src/control-plane/index.js";
import { closeConnection, getConnection } from "../src/database/index.js";
import { renameOrganisation, tenantModel } from "../src/tenants/index.js";

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
