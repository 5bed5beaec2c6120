import { Job } from "@tandem/core/jobs";
import { KNOWLEDGE_WORKER_LIMITS } from "@tandem/core/knowledge";
import { serveExtractionProcess } from "@tandem/core/knowledge/extraction";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createDeps } from "../context.js";
import type { AppDeps } from "../deps.js";
import { lambdaSource } from "../lambda-source.js";
import { runJob } from "./run.js";

// This function reads knowledge files: its bundle is also the extraction process that
// extractInWorker forks (started with a marker, it then only waits for its file), and the only
// bundle that holds the parsers (the API's functions queue the reading: lambda-deps.ts).
serveExtractionProcess();

/** Deliveries before SQS gives a message to the dead-letter queue (maxReceiveCount in stacks/api.ts). */
export const MAX_RECEIVES = 5;

// Built on the first batch and kept while the instance is warm, with its DB connection.
let ready: Promise<AppDeps> | undefined;

/**
 * The jobs queue's consumer (stacks/api.ts). A job that fails is reported back alone, so SQS
 * retries only it and moves it to the dead-letter queue after its last attempt; a message that
 * is not a job is logged and dropped (retrying cannot fix it).
 */
export async function handler(event: SQSEvent, deps?: AppDeps): Promise<SQSBatchResponse> {
  // Given dependencies (tests) are used as they are; on Lambda they are built once per instance.
  const app =
    deps ??
    (await (ready ??= lambdaSource().then((source) => createDeps(source))).catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));
  const failures: SQSBatchResponse["batchItemFailures"] = [];
  for (const record of event.Records) {
    let job: Job;
    try {
      job = Job.parse(JSON.parse(record.body));
    } catch (error) {
      app.logger.error({ err: error, messageId: record.messageId }, "dropped a queue message that is not a job");
      continue;
    }
    try {
      // The queue moves a message to the dead-letter queue after MAX_RECEIVES deliveries (stacks/api.ts).
      const received = Number(record.attributes?.ApproximateReceiveCount ?? "1");
      // This function has 2,048 MB and 15 minutes (stacks/api.ts): room to read a whole 25 MB upload.
      await runJob(app, job, { lastAttempt: received >= MAX_RECEIVES }, { limits: KNOWLEDGE_WORKER_LIMITS });
    } catch (error) {
      app.logger.error({ err: error, messageId: record.messageId, kind: job.kind }, "job failed; SQS retries it");
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
