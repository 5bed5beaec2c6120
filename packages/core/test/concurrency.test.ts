import type { Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeConnection, getConnection, leaseModel, withLease } from "../src/database/index.js";
import { ConflictError } from "../src/errors/index.js";
import { userModel } from "../src/identity/index.js";
import { withTenant } from "../src/tenancy/index.js";
import { changeRole, createInvite, createOrganisation, listInvites, listMembers, membershipModel, removeMember } from "../src/tenants/index.js";

/** The rules that span documents hold when requests race, on the engine the suite runs. */
let connection: Connection;

beforeAll(async () => {
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-concurrency-test` });
  await connection.dropDatabase();
});
afterAll(() => closeConnection());

let n = 0;
async function person(): Promise<string> {
  n += 1;
  const user = await userModel(connection).create({ email: `person${n}@example.com`, name: `Person ${n}`, emailVerifiedAt: new Date() });
  return String(user._id);
}

/** An organisation with two owners. */
async function twoOwners(): Promise<{ tenantId: string; a: string; b: string }> {
  const a = await person();
  const b = await person();
  const org = await createOrganisation(connection, a, { name: `Org ${n}`, slug: `org-${n}-${Date.now().toString(36)}` });
  await withTenant(org.id, () => membershipModel(connection).create({ userId: b, role: "owner" }));
  return { tenantId: org.id, a, b };
}

const owners = async (tenantId: string) => (await listMembers(connection, tenantId)).filter((m) => m.role === "owner").length;

describe("an organisation always keeps an owner", () => {
  it("when two owners demote each other at the same moment, in five organisations", async () => {
    const orgs = await Promise.all(Array.from({ length: 5 }, twoOwners));
    const results = await Promise.allSettled(
      orgs.flatMap(({ tenantId, a, b }) => [
        changeRole(connection, tenantId, { userId: a, role: "owner" }, b, { role: "member" }),
        changeRole(connection, tenantId, { userId: b, role: "owner" }, a, { role: "member" }),
      ]),
    );
    for (const { tenantId } of orgs) expect(await owners(tenantId)).toBe(1);
    // One demotion per organisation wins; the other is refused with a reason.
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ConflictError);
  });

  it("when both owners leave at the same moment, and when one leaves while removing the other", async () => {
    const both = await twoOwners();
    await Promise.allSettled([
      removeMember(connection, both.tenantId, { userId: both.a, role: "owner" }, both.a),
      removeMember(connection, both.tenantId, { userId: both.b, role: "owner" }, both.b),
    ]);
    expect(await owners(both.tenantId)).toBe(1);

    const mixed = await twoOwners();
    await Promise.allSettled([
      removeMember(connection, mixed.tenantId, { userId: mixed.a, role: "owner" }, mixed.b),
      removeMember(connection, mixed.tenantId, { userId: mixed.b, role: "owner" }, mixed.b),
      changeRole(connection, mixed.tenantId, { userId: mixed.b, role: "owner" }, mixed.a, { role: "admin" }),
    ]);
    expect(await owners(mixed.tenantId)).toBe(1);
    expect((await listMembers(connection, mixed.tenantId)).length).toBeGreaterThanOrEqual(1);
  });
});

describe("one open invitation per organisation and address", () => {
  it("holds when ten invitations to one address are sent at once", async () => {
    const { tenantId, a } = await twoOwners();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => createInvite(connection, tenantId, { userId: a, role: "owner" }, { email: "Newcomer@Example.com", role: "member" })));
    expect(results.filter((r) => r.status === "fulfilled").length).toBeGreaterThanOrEqual(1);
    const open = (await listInvites(connection, tenantId)).filter((i) => i.email === "newcomer@example.com");
    expect(open).toHaveLength(1);
  });
});

describe("leases", () => {
  it("run holders one after another, and a crashed holder's lease lapses", async () => {
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        withLease(connection, "test:serial", async () => {
          inside += 1;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 20));
          inside -= 1;
        }),
      ),
    );
    expect(most).toBe(1);

    // A holder that died: its lease expired a second ago and is taken over.
    await leaseModel(connection).create({ key: "test:crashed", holder: "gone", expiresAt: new Date(Date.now() - 1000) });
    await expect(withLease(connection, "test:crashed", async () => "ran", { waitMs: 500 })).resolves.toBe("ran");

    // A live holder is waited for, then refused with a message that says what to do.
    await leaseModel(connection).create({ key: "test:busy", holder: "alive", expiresAt: new Date(Date.now() + 60_000) });
    const busy = await withLease(connection, "test:busy", async () => "ran", { waitMs: 300, what: "This thing" }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(ConflictError);
    expect((busy as Error).message).toBe("This thing is being changed by someone else right now. Try again in a moment.");
  });
});
