import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../src/app.js";
import { createDeps } from "../src/context.js";
import { handler as queueHandler } from "../src/jobs/queue.js";
import { capturedLogger, identityHarness, linkToken, type IdentityHarness } from "./helpers.js";

/** Issue 8, item 5: the answer's timing does not tell which addresses have accounts. */
let h: IdentityHarness;

beforeAll(async () => {
  h = await identityHarness("api-mail-timing-test");
  await h.member("known@example.com", "Known");
  await request(h.app).post("/api/accounts").send({ email: "unconfirmed@example.com", name: "Unconfirmed", password: "a long enough passphrase" }).expect(201);
});
afterAll(() => h.close());

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(path: string, email: string): Promise<number> {
  const started = performance.now();
  await request(h.app).post(path).send({ email }).expect(202);
  return performance.now() - started;
}

describe.each([
  ["forgot password", "/api/accounts/password-reset", "known@example.com"],
  ["resend confirmation", "/api/accounts/verify-email/resend", "unconfirmed@example.com"],
])("%s", (_name, path, existing) => {
  it("answers an address with an account as fast as one without, and mails after answering", async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      const since = h.mail.received.length;
      known.push(await timed(path, existing));
      // The mail still arrives, after the answer (waited for outside the timing).
      await h.mail.waitFor(existing, since);
      unknown.push(await timed(path, `nobody${i}@example.com`));
    }
    // Before: ~165 ms against ~15 ms, because the mail was sent before answering.
    expect(median(known)).toBeLessThan(median(unknown) + 20);
    expect(median(known)).toBeLessThan(median(unknown) * 2 + 5);
  });
});

describe("on AWS, through the jobs queue (SQS in moto)", () => {
  it("queues only the typed address, and the consumer mails the link", async () => {
    const aws = inject("awsEnv");
    const sqs = new SQSClient({ region: aws.AWS_REGION ?? "us-east-1", endpoint: aws.AWS_ENDPOINT_URL, credentials: { accessKeyId: aws.AWS_ACCESS_KEY_ID!, secretAccessKey: aws.AWS_SECRET_ACCESS_KEY! } });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `tandem-jobs-test-${Date.now()}` }));
    const deps = createDeps({ ...h.source, ...aws, JOBS_QUEUE_URL: QueueUrl! }, capturedLogger().logger);
    await request(createApp(deps)).post("/api/accounts/password-reset").send({ email: "Known@Example.com" }).expect(202);

    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }));
    expect(Messages.map((m) => JSON.parse(m.Body!) as unknown)).toEqual([{ kind: "mail.password_reset", email: "known@example.com" }]);

    const since = h.mail.received.length;
    const event = { Records: [...Messages, { MessageId: "not-a-job", Body: "{}" }].map((m) => ({ messageId: m.MessageId!, body: m.Body! })) } as unknown as SQSEvent;
    const result = await queueHandler(event, deps);
    expect(result.batchItemFailures).toEqual([]);
    expect(linkToken(await h.mail.waitFor("known@example.com", since), "/reset-password", deps.appUrl)).toMatch(/^[\w-]+$/);
  });
});
