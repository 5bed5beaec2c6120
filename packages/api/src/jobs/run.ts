import type { Delivery, Job } from "@tandem/core/jobs";
import { processFile, type KnowledgeLimits } from "@tandem/core/knowledge";
import type { AppDeps } from "../deps.js";
import { knowledgeServices } from "../knowledge-services.js";
import { runMailJob } from "./mail.js";

/**
 * Runs one queued job: in this process after a request (pnpm dev, tests) or in the queue consumer on
 * AWS. Reading a knowledge file reaches the extractors; the API's Lambda functions never run it
 * (they queue it: packages/api/src/lambda-deps.ts), so only the consumer's bundle holds them.
 */
export async function runJob(deps: Pick<AppDeps, "database" | "mailer" | "appUrl" | "ai" | "storage" | "jobs">, job: Job, delivery: Delivery = { lastAttempt: true }, options: { limits?: KnowledgeLimits } = {}): Promise<void> {
  if (job.kind !== "knowledge.process") return runMailJob(deps, job);
  // Retried while storage or Bedrock do not answer; on the last attempt the file ends failed, saying why.
  // The limits are the API's (KNOWLEDGE_LIMITS) unless the caller has room for more: the queue's consumer.
  const services = { ...knowledgeServices(deps, { queued: false }), queue: deps.jobs, ...(options.limits ? { limits: options.limits } : {}) };
  await processFile(await deps.database(), { tenantId: job.tenantId, userId: job.userId }, job.notebookId, job.fileId, services, delivery);
}
