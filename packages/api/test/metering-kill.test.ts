import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { closeConnection, getConnection } from "@tandem/core/database";
import { ensureBuiltInMeters, ingestUsage, usageRecordModel } from "@tandem/core/metering";
import type { Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

/**
 * Issue 11: a process killed between ingestion and acknowledgement loses and doubles nothing. The
 * child stores one batch and is killed while the next is on its way, acknowledging neither; the
 * queue delivers both again, and every event counts exactly once.
 */
let connection: Connection;
let uri: string;
beforeAll(async () => {
  uri = `${inject("mongodbUri")}/api-metering-kill-test`;
  connection = await getConnection({ uri });
  await connection.dropDatabase();
  await ensureBuiltInMeters(connection);
});
afterAll(() => closeConnection());

describe("usage ingestion killed before its acknowledgement", () => {
  it("counts every event once after the redelivery", async () => {
    const tenantId = "killedtenant";
    const here = path.dirname(fileURLToPath(import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "fixtures", "ingest-then-die.ts"), uri, tenantId], { cwd: path.resolve(here, "..", "..", ".."), stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, sig) => resolve(sig)));
    expect(signal).toBe("SIGKILL");
    expect(out).toContain("stored");
    const before = await usageRecordModel(connection).countDocuments({ tenantId });
    expect(before).toBeGreaterThanOrEqual(500);
    expect(before).toBeLessThan(1000);

    // Neither batch was acknowledged: both come again (twice, as a queue may).
    const all = Array.from({ length: 1000 }, (_, i) => ({ tenantId, meterApiName: "images", meterValue: 0.001 * (i + 1), idempotencyKey: `kill-${tenantId}-${i}` }));
    for (let round = 0; round < 2; round++) for (let i = 0; i < 1000; i += 500) await ingestUsage(connection, all.slice(i, i + 500), "sbt");

    const records = await usageRecordModel(connection).find({ tenantId }).lean();
    expect(records).toHaveLength(1000);
    expect(new Set(records.map((r) => r.idempotencyKey)).size).toBe(1000);
    // Exact, in millionths: 0.001 × (1 + … + 1000) = 500.5.
    expect(records.reduce((n, r) => n + Math.round(r.value * 1e6), 0)).toBe(500_500_000);
  }, 60_000);
});
