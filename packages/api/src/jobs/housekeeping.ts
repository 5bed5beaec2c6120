import { loadRuntimeConfig } from "@tandem/core/config";
import { getConnection } from "@tandem/core/database";
import { purgeExpiredData } from "@tandem/core/housekeeping";
import { storageFrom } from "../context.js";
import { lambdaSource } from "../lambda-source.js";
import { createLogger } from "../logger.js";

/** Hourly (stacks/jobs.ts): removes expired links, tokens, login failures and invitations, and expires stale uploads. */
export async function handler(): Promise<Record<string, number>> {
  const source = await lambdaSource();
  const config = loadRuntimeConfig(source);
  const logger = createLogger({ stage: config.stage, level: source.LOG_LEVEL });
  const connection = await getConnection({ uri: config.mongodbUri, tlsCAFile: source.MONGODB_TLS_CA_FILE });
  // With the knowledge bucket, the files of uploads that never finished are deleted too.
  const storage = storageFrom(source);
  const removed = await purgeExpiredData(connection, new Date(), storage.knowledgeBucket ? { storage: { s3: storage.s3, bucket: storage.knowledgeBucket } } : {});
  logger.info({ removed }, "housekeeping done");
  return removed;
}
