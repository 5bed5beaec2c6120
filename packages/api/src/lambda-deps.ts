import { ConfigError } from "@tandem/core/errors";
import { createDepsWith, type JobRunner } from "./context.js";
import type { AppDeps } from "./deps.js";
import { runMailJob } from "./jobs/mail.js";
import { lambdaSource } from "./lambda-source.js";

/**
 * Jobs the API's Lambda functions would run themselves: none on AWS, where the stack gives them the
 * jobs queue (JOBS_QUEUE_URL) and its consumer runs every job. Without it, mails still go out from
 * this process after the answer; a knowledge file is not read here, because these functions do not
 * carry the extractors (unpdf, mammoth, ...: a smaller bundle and a faster cold start, see
 * bench/cold-start.ts). The file then ends failed when housekeeping finds it stuck.
 */
export const runInApiFunction: JobRunner = async (deps, job) => {
  if (job.kind !== "knowledge.process") return runMailJob(deps, job);
  throw new ConfigError("Knowledge files are read by the jobs queue's consumer, and this function has no JOBS_QUEUE_URL to queue them on.", [
    { name: "JOBS_QUEUE_URL", message: "The jobs queue (set by stacks/api.ts on the API's functions)." },
  ]);
};

/** The dependencies of the API's Lambda functions (lambda.ts, stream-lambda.ts): environment plus the stage's secrets. */
export async function lambdaDeps(): Promise<AppDeps> {
  return createDepsWith(runInApiFunction, await lambdaSource());
}
