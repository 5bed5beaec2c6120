import type { Connection } from "mongoose";
import { Types } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeConnection, getConnection } from "../src/database/index.js";
import { reserveSpend, settleSpend, setSpendCaps, spendSummary, type Reservation } from "../src/spend/index.js";

/**
 * The spend check's two paths under concurrency: with room, a reply's reservation is decided
 * without the lease (written, then everything in flight read); near the cap, under the lease.
 * Whatever mix of the two decides, replies at once overspend a cap by at most one reservation.
 */
let connection: Connection;
beforeAll(async () => {
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-spend-test` });
  await connection.dropDatabase();
}, 60_000);
afterAll(() => closeConnection());

const owner = () => ({ tenantId: new Types.ObjectId().toString(), userId: new Types.ObjectId().toString(), organisationName: "Thrift Co" });
const attempt = (who: ReturnType<typeof owner>, usd: number) =>
  reserveSpend(connection, who, usd).then(
    (r) => ({ ok: true as const, r }),
    (error: { code?: string }) => ({ ok: false as const, code: error.code }),
  );

describe("the spend check", () => {
  it("lets 30 reservations at once, with room for five and a half, pass at most one over the cap", async () => {
    for (const round of [1, 2, 3]) {
      const who = owner();
      await setSpendCaps(connection, who.tenantId, { organisation: { dayUsd: 1.1 } });
      const results = await Promise.all(Array.from({ length: 30 }, () => attempt(who, 0.2)));
      const passed = results.filter((r) => r.ok).length;
      expect(results.filter((r) => !r.ok).every((r) => r.code === "spend.cap_reached"), `round ${round}`).toBe(true);
      // Five fit entirely (the fast path); the sixth may pass under the lease; never a seventh.
      expect(passed, `round ${round}`).toBeGreaterThanOrEqual(1);
      expect(passed * 0.2, `round ${round}`).toBeLessThanOrEqual(1.1 + 0.2 + 1e-9);
    }
  }, 60_000);

  it("counts a reply settled while others are being checked, never losing it between the counters and the reservations", async () => {
    const who = owner();
    await setSpendCaps(connection, who.tenantId, { organisation: { dayUsd: 2 } });
    // Ten replies in flight, each to cost exactly what it reserved; they settle while 30 more are checked.
    const first = (await Promise.all(Array.from({ length: 10 }, () => reserveSpend(connection, who, 0.1)))) as Reservation[];
    expect(first.every(Boolean)).toBe(true);
    const [, later] = await Promise.all([Promise.all(first.map((r) => settleSpend(connection, r, 0.1))), Promise.all(Array.from({ length: 30 }, () => attempt(who, 0.1)))]);
    const passed = later.filter((r) => r.ok).length;
    expect(passed).toBeGreaterThanOrEqual(1);
    // $1 spent by the first ten: at most ten more fit, and one more over the cap.
    expect(1 + passed * 0.1).toBeLessThanOrEqual(2 + 0.1 + 1e-9);
    await Promise.all(later.flatMap((r) => (r.ok && r.r ? [settleSpend(connection, r.r, 0.1)] : [])));
    const summary = await spendSummary(connection, who.tenantId, who.userId);
    expect(summary.spent.organisation.dayUsd).toBeCloseTo(1 + passed * 0.1, 6);
  }, 60_000);
});
