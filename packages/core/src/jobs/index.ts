import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { z } from "zod";

/**
 * Work that must not run inside the request that asks for it: a mail whose sending time would
 * tell an observer whether an address has an account (password reset, a new confirmation link).
 * The request only queues the job and answers; a consumer does the lookup and the sending. On
 * AWS the queue is SQS (stacks/api.ts, with a dead-letter queue); in `pnpm dev` and the tests the
 * job runs in the same process once the answer has gone.
 *
 * A job carries what the caller typed, never a token: the consumer issues the link itself, so
 * nothing that opens an account sits in a queue.
 */
const Id = z.string().regex(/^[0-9a-f]{24}$/);

export const Job = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("mail.password_reset"), email: z.string().max(320) }),
  z.object({ kind: z.literal("mail.verification"), email: z.string().max(320) }),
  // A spend cap's threshold crossed (spend/): mailed to the organisation's owners and admins, or to the member.
  z.object({ kind: z.literal("mail.spend_alert"), tenantId: Id, cap: z.enum(["organisation.day", "organisation.month", "member.day", "member.month", "group.day", "group.month"]), userId: Id, groupId: Id.optional(), percent: z.number().int().min(1).max(100), limitUsd: z.number().nonnegative() }),
  // Stripe's word on a payment or a trial (billing/webhook.ts): mailed to the organisation's owners and admins.
  z.object({ kind: z.literal("mail.billing_notice"), tenantId: Id, notice: z.enum(["payment_failed", "action_required", "trial_ending"]), url: z.string().url().max(2000).nullable() }),
  // Reading, splitting and embedding a completed upload (packages/core/src/knowledge processFile).
  z.object({ kind: z.literal("knowledge.process"), tenantId: Id, userId: Id, notebookId: Id, fileId: Id }),
]);
export type Job = z.infer<typeof Job>;

export interface JobQueue {
  /** Resolves once the job is safely queued (not when it has run). */
  enqueue(job: Job): Promise<void>;
}

export interface InProcessOptions {
  /** Whether a failure may pass if tried again (the database away, say); such jobs are retried. */
  readonly retryable?: (error: unknown) => boolean;
  /** Waits between attempts; one attempt more than there are waits. */
  readonly retryDelaysMs?: readonly number[];
}

/** What a consumer knows about the delivery it runs. */
export interface Delivery {
  /** No retry follows this attempt: a job that keeps failing must record why, now. */
  readonly lastAttempt: boolean;
}

/**
 * Runs each job after the current request's answer has been written, in this process. A job that
 * fails for a reason that may pass is tried again (as SQS would redeliver it), about two minutes
 * in all; then its failure is reported.
 */
export function inProcessQueue(run: (job: Job, delivery: Delivery) => Promise<void>, onError: (error: unknown, job: Job) => void, options: InProcessOptions = {}): JobQueue {
  const delays = options.retryDelaysMs ?? [1_000, 5_000, 15_000, 30_000, 60_000];
  const attempt = async (job: Job, tried: number): Promise<void> => {
    try {
      await run(job, { lastAttempt: tried >= delays.length });
    } catch (error) {
      if (tried < delays.length && options.retryable?.(error)) {
        setTimeout(() => void attempt(job, tried + 1), delays[tried]).unref();
        return;
      }
      onError(error, job);
    }
  };
  return {
    enqueue(job) {
      const parsed = Job.parse(job);
      setImmediate(() => void attempt(parsed, 0));
      return Promise.resolve();
    },
  };
}

/** Sends each job to an SQS queue; the queue's consumer runs it (packages/api/src/jobs/queue.ts). */
export function sqsQueue(sqs: SQSClient, queueUrl: string): JobQueue {
  return {
    async enqueue(job) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(Job.parse(job)) }));
    },
  };
}
