import type { Connection } from "mongoose";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { closeConnection, getConnection, leaseModel } from "../src/database/index.js";
import { appliedMigrationModel, appliedMigrations, checkMigrations, MIGRATIONS, runMigrations, type Migration } from "../src/migrations/index.js";

/** Data migrations: once per database, in order, recorded; one runner at a time; a failure stops unrecorded. */
let connection: Connection;
const ran: string[] = [];

/** A migration that records its runs and copies a field, like a real "expand" step. */
function migration(id: string, options: { fail?: () => boolean; slowMs?: number } = {}): Migration {
  return {
    id,
    version: "1.1.0",
    description: `test migration ${id}`,
    async up(db) {
      ran.push(id);
      if (options.slowMs) await new Promise((r) => setTimeout(r, options.slowMs));
      if (options.fail?.()) throw new Error(`${id} failed`);
      await db.collection("migration_subjects").updateMany({}, { $set: { [`seen_${id.replaceAll("-", "_")}`]: true } });
    },
  };
}

beforeAll(async () => {
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-migrations-test` });
  await connection.dropDatabase();
});
beforeEach(async () => {
  ran.length = 0;
  await appliedMigrationModel(connection).deleteMany({});
  await leaseModel(connection).deleteMany({});
  await connection.collection("migration_subjects").deleteMany({});
  await connection.collection("migration_subjects").insertMany([{ title: "a" }, { title: "b" }]);
});
afterAll(() => closeConnection());

describe("data migrations", () => {
  it("run once each, in order, and are recorded with the release that ran them", async () => {
    const list = [migration("2026-12-01-first"), migration("2026-12-02-second")];
    expect(await runMigrations(connection, { release: "1.1.0", migrations: list })).toEqual({ applied: ["2026-12-01-first", "2026-12-02-second"], skipped: [] });
    expect(ran).toEqual(["2026-12-01-first", "2026-12-02-second"]);
    expect((await connection.collection("migration_subjects").find({ seen_2026_12_01_first: true }).toArray()).length).toBe(2);

    // The next deploy, with one more migration: only the new one runs.
    const next = [...list, migration("2026-12-03-third")];
    expect(await runMigrations(connection, { release: "1.2.0", migrations: next })).toEqual({ applied: ["2026-12-03-third"], skipped: ["2026-12-01-first", "2026-12-02-second"] });
    expect(ran).toEqual(["2026-12-01-first", "2026-12-02-second", "2026-12-03-third"]);
    const recorded = await appliedMigrations(connection);
    expect(recorded.map((m) => [m.id, m.version, m.appliedBy])).toEqual([
      ["2026-12-01-first", "1.1.0", "1.1.0"],
      ["2026-12-02-second", "1.1.0", "1.1.0"],
      ["2026-12-03-third", "1.1.0", "1.2.0"],
    ]);
    for (const m of recorded) expect(m.finishedAt.getTime()).toBeGreaterThanOrEqual(m.startedAt.getTime());
  });

  it("runs each migration once when two deploys start at the same moment", async () => {
    const list = [migration("2026-12-01-first", { slowMs: 150 }), migration("2026-12-02-second", { slowMs: 150 })];
    const [a, b] = await Promise.all([runMigrations(connection, { release: "1.1.0", migrations: list }), runMigrations(connection, { release: "1.1.0", migrations: list })]);
    expect(ran).toEqual(["2026-12-01-first", "2026-12-02-second"]);
    expect([...a.applied, ...b.applied].sort()).toEqual(["2026-12-01-first", "2026-12-02-second"]);
    expect([...a.skipped, ...b.skipped].sort()).toEqual(["2026-12-01-first", "2026-12-02-second"]);
    expect(await appliedMigrationModel(connection).countDocuments()).toBe(2);
  });

  it("stops at a failing migration without recording it, and the next run starts there", async () => {
    let broken = true;
    const list = [migration("2026-12-01-first"), migration("2026-12-02-second", { fail: () => broken }), migration("2026-12-03-third")];
    await expect(runMigrations(connection, { release: "1.1.0", migrations: list })).rejects.toThrow("2026-12-02-second failed");
    expect((await appliedMigrations(connection)).map((m) => m.id)).toEqual(["2026-12-01-first"]);
    expect(ran).toEqual(["2026-12-01-first", "2026-12-02-second"]);
    // The lease is given back even though the run failed.
    expect(await leaseModel(connection).countDocuments({ key: "schema-migrations" })).toBe(0);

    broken = false;
    expect((await runMigrations(connection, { release: "1.1.1", migrations: list })).applied).toEqual(["2026-12-02-second", "2026-12-03-third"]);
  });

  it("takes over from a runner that crashed holding the lease, once the lease lapses", async () => {
    await leaseModel(connection).create({ key: "schema-migrations", holder: "crashed-deploy", expiresAt: new Date(Date.now() - 1_000) });
    expect((await runMigrations(connection, { release: "1.1.0", migrations: [migration("2026-12-01-first")], waitMs: 2_000 })).applied).toEqual(["2026-12-01-first"]);
  });

  it("refuses malformed, repeated or out-of-order ids, and Tandem's own list passes", () => {
    expect(() => checkMigrations([migration("first")])).toThrow('Migration id "first" must look like 2026-12-01-what-it-does.');
    expect(() => checkMigrations([migration("2026-12-02-b"), migration("2026-12-01-a")])).toThrow('must sort after "2026-12-02-b"');
    expect(() => checkMigrations([migration("2026-12-01-a"), migration("2026-12-01-a")])).toThrow("ids are unique and in order");
    expect(() => checkMigrations(MIGRATIONS)).not.toThrow();
  });
});
