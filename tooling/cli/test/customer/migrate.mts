// Runs the data migrations of the @tandem/core the customer repository has installed, as the
// deploy's Migrations script does, against MONGODB_URI; prints what ran and what is recorded.
import { closeConnection, getConnection } from "@tandem/core/database";
import { appliedMigrations, runMigrations } from "@tandem/core/migrations";
import { readFileSync } from "node:fs";

const release = JSON.parse(readFileSync("node_modules/@tandem/core/package.json", "utf8")).version;
const connection = await getConnection({ uri: process.env.MONGODB_URI! });
const report = await runMigrations(connection, { release });
const recorded = (await appliedMigrations(connection)).map((m) => ({ id: m.id, version: m.version, appliedBy: m.appliedBy }));
const regions = (await connection.collection("tenants").find().toArray()).map((t) => t.region ?? null);
await closeConnection();
process.stdout.write(`MIGRATE ${JSON.stringify({ release, ...report, recorded, regions })}\n`);
