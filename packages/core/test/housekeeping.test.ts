import { Types, type Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { claimOnce, closeConnection, getConnection } from "../src/database/index.js";
import { CLAIM_RETENTION_MS, purgeExpiredData } from "../src/housekeeping/index.js";
import { loginFailureModel, recordLoginFailure } from "../src/identity/index.js";
import { runAsSystem } from "../src/tenancy/index.js";
import { inviteModel } from "../src/tenants/index.js";

let connection: Connection;

beforeAll(async () => {
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-housekeeping-test` });
  await connection.dropDatabase();
});
afterAll(() => closeConnection());

describe("housekeeping", () => {
  it("removes expired documents in every tenant and old claims, and keeps the rest", async () => {
    const now = new Date("2026-11-23T12:00:00Z");
    const hourAgo = new Date(now.getTime() - 3_600_000);
    await recordLoginFailure(connection, { email: "old@example.com" }, hourAgo);
    await recordLoginFailure(connection, { email: "new@example.com" }, now);
    const invite = (tenantId: Types.ObjectId, expiresAt: Date) => ({ tenantId, email: "x@example.com", role: "member", invitedBy: new Types.ObjectId(), hash: new Types.ObjectId().toString(), expiresAt });
    await runAsSystem("test: invites in two tenants", () =>
      inviteModel(connection).insertMany([invite(new Types.ObjectId(), hourAgo), invite(new Types.ObjectId(), hourAgo), invite(new Types.ObjectId(), new Date(now.getTime() + 3_600_000))]),
    );
    await claimOnce(connection, "invite_uses", "ancient", new Date(now.getTime() - CLAIM_RETENTION_MS - 1000));
    await claimOnce(connection, "invite_uses", "recent", hourAgo);

    const removed = await purgeExpiredData(connection, now);
    expect(removed).toMatchObject({ login_failures: 1, invites: 2, invite_uses: 1 });
    expect(await loginFailureModel(connection).countDocuments()).toBe(1);
    expect(await runAsSystem("test: count", () => inviteModel(connection).countDocuments())).toBe(1);
    // A recent claim still guards its link.
    expect(await claimOnce(connection, "invite_uses", "recent", now)).toBe(false);
  });
});
