/**
 * Usage ingestion throughput (issue 11; target >= 0.8x a bare insertMany): ingestUsage (validation,
 * the meters' lookup, insert once by idempotency key) for batches of usage events, beside an
 * in-run baseline, a bare insertMany of the same documents into another collection of the same
 * database with the same indexes. Then the same batches again: every event a duplicate, counted once.
 *
 *   pnpm bench:usage          (EVENTS=20000 BATCH=500 by default)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeConnection, getConnection } from "@tandem/core/database";
import { ensureBuiltInMeters, ingestUsage, usageRecordModel } from "@tandem/core/metering";
import { startFerretDB, startPostgres } from "@tandem/local";

const EVENTS = Number(process.env.EVENTS ?? 20_000);
const BATCH = Number(process.env.BATCH ?? 500);

const dataDir = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-usage-"));
const postgres = process.env.MONGODB_URI ? undefined : await startPostgres({ dataDir: path.join(dataDir, "postgres"), name: "postgres-bench" });
const ferret = postgres ? await startFerretDB({ dataDir: path.join(dataDir, "ferretdb"), name: "ferretdb-bench", postgresUrl: postgres.url }) : undefined;
const connection = await getConnection({ uri: `${process.env.MONGODB_URI ?? ferret!.uri}/bench-usage` });
await connection.dropDatabase();
await ensureBuiltInMeters(connection);
await usageRecordModel(connection).init();
// The baseline's collection has the same indexes as usage_records: the difference is the pipeline's.
const bare = connection.collection("bare_usage");
for (const index of await usageRecordModel(connection).collection.indexes()) {
  if (index.name !== "_id_") await bare.createIndex(index.key, { unique: Boolean(index.unique), name: index.name });
}

const at = Math.floor(Date.now() / 1000);
const events = Array.from({ length: EVENTS }, (_, i) => ({ tenantId: `tenant-${i % 50}`, meterApiName: i % 2 ? "reply_input_tokens" : "reply_output_tokens", meterValue: (i % 997) + 1, dimensions: { model: "model-x" }, idempotencyKey: `bench-${i}`, timestamp: at }));
const batches = Array.from({ length: Math.ceil(EVENTS / BATCH) }, (_, b) => events.slice(b * BATCH, (b + 1) * BATCH));

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await work();
  return performance.now() - t;
}

// Warm both paths (connections, the first inserts) before timing.
await bare.insertMany([{ idempotencyKey: "warm", at: new Date() }]);
await ingestUsage(connection, [{ ...events[0]!, idempotencyKey: "warm" }], "sbt");

const bareMs = await timed(async () => {
  for (const batch of batches) {
    await bare.insertMany(batch.map((e) => ({ idempotencyKey: e.idempotencyKey, meterApiName: e.meterApiName, tenantId: e.tenantId, value: e.meterValue, dimensions: e.dimensions, source: "sbt", at: new Date(e.timestamp * 1000), ingestedAt: new Date(), cancelledAt: null })), { ordered: false });
  }
});
let stored = 0;
const ingestMs = await timed(async () => {
  for (const batch of batches) stored += (await ingestUsage(connection, batch, "sbt")).stored;
});
let duplicates = 0;
const againMs = await timed(async () => {
  for (const batch of batches) duplicates += (await ingestUsage(connection, batch, "sbt")).duplicates;
});

const rate = (ms: number) => Math.round((EVENTS / ms) * 1000);
console.log(`${EVENTS} usage events in batches of ${BATCH} on ${process.env.MONGODB_URI ? "MONGODB_URI" : "FerretDB over PostgreSQL"}`);
console.log(`  ingestUsage:                 ${rate(ingestMs).toString().padStart(7)} events/s (${stored} stored)`);
console.log(`  baseline, bare insertMany:   ${rate(bareMs).toString().padStart(7)} events/s`);
console.log(`  the same events again:       ${rate(againMs).toString().padStart(7)} events/s (${duplicates} duplicates, none stored)`);
const ratio = bareMs / ingestMs;
console.log(`  ratio ${ratio.toFixed(2)}x of bare; target >= 0.8x: ${ratio >= 0.8 ? "met" : "missed"}`);

await closeConnection();
await ferret?.stop();
await postgres?.stop();
rmSync(dataDir, { recursive: true, force: true });
