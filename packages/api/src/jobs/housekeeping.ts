import { loadRuntimeConfig } from "@tandem/core/config";
import { getConnection } from "@tandem/core/database";
import { purgeExpiredData } from "@tandem/core/housekeeping";
import { lambdaSource } from "../lambda-source.js";
import { createLogger } from "../logger.js";

/** Hourly (stacks/jobs.ts): removes expired links, tokens, login failures and invitations. */
export async function handler(): Promise<Record<string, number>> {
  const source = await lambdaSource();
  const config = loadRuntimeConfig(source);
  const logger = createLogger({ stage: config.stage, level: source.LOG_LEVEL });
  const connection = await getConnection({ uri: config.mongodbUri, tlsCAFile: source.MONGODB_TLS_CA_FILE });
  const removed = await purgeExpiredData(connection);
  logger.info({ removed }, "housekeeping done");
  return removed;
}
