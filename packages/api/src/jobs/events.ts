import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { handleControlPlaneEvent } from "../control-plane-events.js";
import { createDeps } from "../context.js";
import type { AppDeps } from "../deps.js";
import { lambdaSource } from "../lambda-source.js";

/** Deliveries before SQS gives a message to the dead-letter queue (maxReceiveCount of the events queue). */
export const MAX_EVENT_RECEIVES = 5;

let ready: Promise<AppDeps> | undefined;

/**
 * The consumer of the control plane's events queue: EventBridge rules put the control plane's
 * requests and the application plane's answers on it (each message is the event as EventBridge
 * sends it). An event that fails is reported back alone, so SQS retries only it; on its last
 * delivery the application plane answers with the failure instead of failing again.
 */
export async function handler(event: SQSEvent, deps?: AppDeps): Promise<SQSBatchResponse> {
  const app = deps ?? (await (ready ??= lambdaSource().then((source) => createDeps(source))));
  const failures: SQSBatchResponse["batchItemFailures"] = [];
  for (const record of event.Records) {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      app.logger.error({ messageId: record.messageId }, "dropped a message that is not an event");
      continue;
    }
    try {
      const received = Number(record.attributes?.ApproximateReceiveCount ?? "1");
      await handleControlPlaneEvent(app, body, { lastAttempt: received >= MAX_EVENT_RECEIVES });
    } catch (error) {
      app.logger.error({ err: error, messageId: record.messageId }, "event failed; SQS retries it");
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
