import type { Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeConnection, getConnection } from "../src/database/index.js";
import { RateLimitedError } from "../src/errors/index.js";
import { ACCOUNT_FAILURE_LIMIT, ADDRESS_FAILURE_LIMIT, addressKey, assertLoginAllowed, LOGIN_WINDOW_MS, recordLoginFailure } from "../src/identity/index.js";

let connection: Connection;

beforeAll(async () => {
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-throttle-test` });
  await connection.dropDatabase();
});
afterAll(() => closeConnection());

const at = (t0: Date, minutes: number) => new Date(t0.getTime() + minutes * 60_000);

describe("login lock-out", () => {
  it("locks an account after its limit and lets it in again when the oldest failure leaves the window", async () => {
    const t0 = new Date("2026-11-23T10:00:00Z");
    const attempt = { email: "victim@example.com" };
    // One failure a minute: t0, t0+1m, ... t0+4m.
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) {
      await assertLoginAllowed(connection, attempt, at(t0, i));
      await recordLoginFailure(connection, attempt, at(t0, i));
    }
    const locked = await assertLoginAllowed(connection, attempt, at(t0, 5)).catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(RateLimitedError);
    // Unlocked when the failure at t0 is 15 minutes old: 10 minutes from t0+5m.
    expect((locked as RateLimitedError).retryAfterSeconds).toBe(10 * 60);
    expect((locked as RateLimitedError).message).toContain("Try again in 10 minutes (at 10:15 UTC)");
    await expect(assertLoginAllowed(connection, attempt, new Date(t0.getTime() + LOGIN_WINDOW_MS - 1000))).rejects.toBeInstanceOf(RateLimitedError);
    await assertLoginAllowed(connection, attempt, new Date(t0.getTime() + LOGIN_WINDOW_MS + 1000));
  });

  it("counts failures per address across accounts (password spraying)", async () => {
    const t0 = new Date("2026-11-23T12:00:00Z");
    for (let i = 0; i < ADDRESS_FAILURE_LIMIT; i++) await recordLoginFailure(connection, { email: `user${i}@example.com`, ip: "203.0.113.7" }, t0);
    const error = await assertLoginAllowed(connection, { email: "fresh@example.com", ip: "203.0.113.7" }, at(t0, 1)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "auth.locked_out" });
    expect((error as Error).message).toContain("your network address");
    // Another address signs in to the same account freely.
    await assertLoginAllowed(connection, { email: "fresh@example.com", ip: "198.51.100.1" }, at(t0, 1));
  });

  it("counts an IPv6 host by its /64 and an IPv4-mapped address as the IPv4 address", async () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:cb00:7107")).toBe("203.0.113.7");
    expect(addressKey("0:0:0:0:0:ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0db8:0001:0002:ffff:0:0:28")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    // Spraying from many addresses of one /64 is one address's budget.
    const t0 = new Date("2026-11-23T14:00:00Z");
    for (let i = 0; i < ADDRESS_FAILURE_LIMIT; i++) await recordLoginFailure(connection, { email: `v6-${i}@example.com`, ip: `2001:db8:9:9::${(i + 1).toString(16)}` }, t0);
    await expect(assertLoginAllowed(connection, { email: "v6-new@example.com", ip: "2001:db8:9:9:abcd::1" }, at(t0, 1))).rejects.toMatchObject({ code: "auth.locked_out" });
    await assertLoginAllowed(connection, { email: "v6-new@example.com", ip: "2001:db8:9:a::1" }, at(t0, 1));
  });
});
