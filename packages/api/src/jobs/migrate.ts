import { loadRuntimeConfig } from "@tandem/core/config";
import { getConnection } from "@tandem/core/database";
import { runMigrations, type MigrationReport } from "@tandem/core/migrations";
import { lambdaSource } from "../lambda-source.js";
import { createLogger } from "../logger.js";
import { versionFrom } from "../context.js";

/**
 * The Migrations stack's Script (stacks/migrations.ts) calls this during every `sst deploy`, before
 * the API stack takes the new code: it runs the data migrations this stage's database has not
 * recorded yet. A migration that fails fails the deploy, and CloudFormation keeps the old code.
 */
export async function handler(): Promise<MigrationReport> {
  const source = await lambdaSource();
  const config = loadRuntimeConfig(source);
  const logger = createLogger({ stage: config.stage, level: source.LOG_LEVEL });
  const connection = await getConnection({ uri: config.mongodbUri, tlsCAFile: source.MONGODB_TLS_CA_FILE });
  const report = await runMigrations(connection, { release: versionFrom(source), log: (message, fields) => logger.info(fields, message) });
  logger.info({ applied: report.applied, alreadyApplied: report.skipped.length }, "data migrations done");
  return report;
}
