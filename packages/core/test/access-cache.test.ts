import { afterEach, describe, expect, it } from "vitest";
import { accessCacheTtlMs, clearAccessCache, configureAccessCache, DEFAULT_ACCESS_CACHE_TTL_MS, shelf } from "../src/access/cache.js";

/** The access cache's rules, without a database: what is kept, for how long, and what is never kept. */
afterEach(() => configureAccessCache());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the access cache", () => {
  it("keeps a positive answer for the TTL, then reads again", async () => {
    configureAccessCache({ ttlMs: 100 });
    const roles = shelf<{ role: string }>();
    let reads = 0;
    const read = async () => (reads++, { role: "member" });
    await roles.remember("t1:u1", read);
    await roles.remember("t1:u1", read);
    expect(reads).toBe(1);
    await sleep(150);
    await roles.remember("t1:u1", read);
    expect(reads).toBe(2);
  });

  it("never keeps a refusal", async () => {
    const sessions = shelf<{ userId: string }>();
    let reads = 0;
    const refused = async () => (reads++, undefined);
    expect(await sessions.remember("u1:s1", refused)).toBeUndefined();
    expect(await sessions.remember("u1:s1", refused)).toBeUndefined();
    expect(reads).toBe(2);
  });

  it("makes one read for callers that ask for the same key at once", async () => {
    const tenants = shelf<{ name: string }>();
    let reads = 0;
    const read = async () => {
      reads++;
      await sleep(20);
      return { name: "Acme" };
    };
    const answers = await Promise.all(Array.from({ length: 50 }, () => tenants.remember("t1", read)));
    expect(reads).toBe(1);
    expect(answers.every((a) => a?.name === "Acme")).toBe(true);
  });

  it("does not keep the answer of a read that a change overtook", async () => {
    const roles = shelf<{ role: string }>();
    let release!: () => void;
    const slowRead = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return { role: "owner" };
    };
    const racing = roles.remember("t1:u1", slowRead);
    // The membership is removed while the read is under way.
    roles.forget("t1:u1");
    release();
    expect(await racing).toEqual({ role: "owner" }); // that request saw the old state...
    let reads = 0;
    await roles.remember("t1:u1", async () => (reads++, undefined));
    expect(reads).toBe(1); // ...but the next one reads again: the old answer was not kept
  });

  it("keeps nothing with a TTL of 0, and refuses a negative TTL", async () => {
    configureAccessCache({ ttlMs: 0 });
    const roles = shelf<{ role: string }>();
    let reads = 0;
    await roles.remember("t1:u1", async () => (reads++, { role: "member" }));
    await roles.remember("t1:u1", async () => (reads++, { role: "member" }));
    expect(reads).toBe(2);
    expect(() => configureAccessCache({ ttlMs: -1 })).toThrow(/0 or more/);
  });

  it("forgets by a rule (every session of a person) and entirely", async () => {
    const sessions = shelf<{ userId: string; sessionId: string }>();
    for (const [u, s] of [["u1", "s1"], ["u1", "s2"], ["u2", "s3"]]) await sessions.remember(`${u}:${s}`, async () => ({ userId: u!, sessionId: s! }));
    sessions.forgetWhere((v) => v.userId === "u1");
    expect(sessions.get("u1:s1")).toBeUndefined();
    expect(sessions.get("u1:s2")).toBeUndefined();
    expect(sessions.get("u2:s3")).toEqual({ userId: "u2", sessionId: "s3" });
    clearAccessCache();
    expect(sessions.size).toBe(0);
    expect(accessCacheTtlMs()).toBe(DEFAULT_ACCESS_CACHE_TTL_MS);
  });
});
