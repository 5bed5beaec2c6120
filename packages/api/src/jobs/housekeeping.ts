import { loadRuntimeConfig } from "@tandem/core/config";
import { getConnection } from "@tandem/core/database";
import { eventBridgePublisher } from "@tandem/core/control-plane";
import { purgeExpiredData } from "@tandem/core/housekeeping";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { storageFrom } from "../context.js";
import { lambdaSource } from "../lambda-source.js";
import { createLogger } from "../logger.js";

/**
 * Hourly (stacks/jobs.ts): removes expired links, tokens, login failures and invitations, and expires
 * stale uploads. With every SF_* secret set, then syncs tenants to Salesforce (@tandem/core/salesforce,
 * loaded only then); that sync records its own failures and retries them later, and its errors never
 * fail the rest of the housekeeping.
 */
export async function handler(): Promise<Record<string, number>> {
  const source = await lambdaSource();
  const config = loadRuntimeConfig(source);
  const logger = createLogger({ stage: config.stage, level: source.LOG_LEVEL });
  const connection = await getConnection({ uri: config.mongodbUri, tlsCAFile: source.MONGODB_TLS_CA_FILE });
  // With the knowledge bucket, the files of uploads that never finished are deleted too.
  const storage = storageFrom(source);
  // With the control plane's bus, events a crash left unpublished go out.
  const events = source.EVENT_BUS_NAME ? eventBridgePublisher(new EventBridgeClient({ region: source.AWS_REGION ?? "us-east-1" }), source.EVENT_BUS_NAME) : undefined;
  // Tenants past their offboarding grace period lose their files in both buckets too.
  const buckets = [storage.knowledgeBucket, storage.imagesBucket].filter((b): b is string => Boolean(b));
  const removed = await purgeExpiredData(connection, new Date(), { ...(storage.knowledgeBucket ? { storage: { s3: storage.s3, bucket: storage.knowledgeBucket } } : {}), events, tenantFiles: { s3: storage.s3, buckets }, auditRetentionDays: config.auditRetentionDays });
  logger.info({ removed }, "housekeeping done");
  if (config.salesforce) {
    try {
      const { syncSalesforce } = await import("@tandem/core/salesforce");
      const synced = await syncSalesforce(connection, config.salesforce, { log: (level, fields, message) => logger[level](fields, message) });
      logger.info({ salesforce: synced }, "salesforce sync done");
    } catch (error) {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, "salesforce sync stopped; the next run retries");
    }
  }
  return removed;
}
