/**
 * The time a capped request spends on the spend-cap check (issue 11; target < 5 ms p99):
 * reserveSpend beside an in-run baseline, one read of a document by _id on the same database.
 * With room under the caps (the reservation written, then the reservations in flight and the four
 * counters read), and near a cap (decided under the spend lease). Then settleSpend, which runs
 * after the reply (not in the way of the first token).
 *
 *   pnpm bench:spend          (ROUNDS=500 by default)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeConnection, getConnection } from "@tandem/core/database";
import { reserveSpend, setSpendCaps, settleSpend } from "@tandem/core/spend";
import { startFerretDB, startPostgres } from "@tandem/local";
import { Types } from "mongoose";

const ROUNDS = Number(process.env.ROUNDS ?? 500);
const dataDir = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-spend-"));
const postgres = process.env.MONGODB_URI ? undefined : await startPostgres({ dataDir: path.join(dataDir, "postgres"), name: "postgres-bench" });
const ferret = postgres ? await startFerretDB({ dataDir: path.join(dataDir, "ferretdb"), name: "ferretdb-bench", postgresUrl: postgres.url }) : undefined;
const connection = await getConnection({ uri: `${process.env.MONGODB_URI ?? ferret!.uri}/bench-spend` });
await connection.dropDatabase();

const owner = { tenantId: new Types.ObjectId().toString(), userId: new Types.ObjectId().toString(), organisationName: "Bench Co" };
await setSpendCaps(connection, owner.tenantId, { organisation: { dayUsd: 1_000_000, monthUsd: 1_000_000 }, member: { dayUsd: 1_000_000 } });
await connection.collection("bench_docs").insertOne({ _id: "one" as never, value: 1 });

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const line = (name: string, xs: number[]) => console.log(`  ${name.padEnd(40)} p50 ${pct(xs, 50).toFixed(2).padStart(6)} ms   p99 ${pct(xs, 99).toFixed(2).padStart(6)} ms`);

/** ROUNDS capped requests one after another (the first 20 warm the connections and caches). */
async function measure(who: typeof owner, cost: number) {
  const reserve: number[] = [];
  const settle: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < ROUNDS + 20; i++) {
    let t = performance.now();
    await connection.collection("bench_docs").findOne({ _id: "one" as never });
    const b = performance.now() - t;
    t = performance.now();
    const reservation = await reserveSpend(connection, who, 0.05);
    const r = performance.now() - t;
    t = performance.now();
    await settleSpend(connection, reservation, cost);
    const s = performance.now() - t;
    if (i >= 20) {
      baseline.push(b);
      reserve.push(r);
      settle.push(s);
    }
  }
  return { reserve, settle, baseline };
}

console.log(`${ROUNDS} capped requests on ${process.env.MONGODB_URI ? "MONGODB_URI" : "FerretDB over PostgreSQL"}, each reserving $0.05`);
const roomy = await measure(owner, 0.001);
line("cap check, room under the caps", roomy.reserve);
line("baseline, one read by _id", roomy.baseline);
line("settlement (after the reply)", roomy.settle);

// Near a cap: $0.01 left, less than a reservation, so every request is decided under the lease.
const near = { ...owner, tenantId: new Types.ObjectId().toString() };
await setSpendCaps(connection, near.tenantId, { organisation: { dayUsd: 0.01 } });
const tight = await measure(near, 0);
line("cap check, $0.01 left (under the lease)", tight.reserve);
line("baseline, one read by _id", tight.baseline);
console.log(`  target < 5 ms p99 with room under the caps: ${pct(roomy.reserve, 99) < 5 ? "met" : "missed"}`);

await closeConnection();
await ferret?.stop();
await postgres?.stop();
rmSync(dataDir, { recursive: true, force: true });
