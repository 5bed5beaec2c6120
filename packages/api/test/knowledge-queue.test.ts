import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { ChangeMessageVisibilityCommand, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../src/app.js";
import { createDeps } from "../src/context.js";
import type { AppDeps } from "../src/deps.js";
import { handler as queueHandler, MAX_RECEIVES } from "../src/jobs/queue.js";
import { capturedLogger, identityHarness, type IdentityHarness, type SignedIn } from "./helpers.js";

/**
 * Issue 9, item 2: completing an upload only queues its reading; the jobs queue's consumer reads,
 * splits and embeds it, with progress. Against moto's SQS with a dead-letter queue: a file whose
 * reading keeps failing for a reason that may pass (Bedrock not answering) is retried, ends in the
 * dead-letter queue, and the file says why.
 */
const BUCKET = "api-knowledge-queue";
let standIn: BedrockStandIn;
let h: IdentityHarness;
let ann: SignedIn;
let sqs: SQSClient;
let queueUrl: string;
let deadUrl: string;
let orgId: string;
let notebookId: string;

function depsWith(extra: Record<string, string>): AppDeps {
  return createDeps({ ...h.source, JOBS_QUEUE_URL: queueUrl, ...extra }, capturedLogger().logger);
}

beforeAll(async () => {
  standIn = await startBedrockStandIn({ tokenDelayMs: 0 });
  const aws = inject("awsEnv");
  h = await identityHarness("api-knowledge-queue-test", { source: { ...aws, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url, KNOWLEDGE_FILES_BUCKET: BUCKET } });
  await h.deps.storage.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  sqs = new SQSClient({ region: aws.AWS_REGION ?? "us-east-1", endpoint: aws.AWS_ENDPOINT_URL, credentials: { accessKeyId: aws.AWS_ACCESS_KEY_ID!, secretAccessKey: aws.AWS_SECRET_ACCESS_KEY! } });
  deadUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `tandem-jobs-dead-${Date.now()}` }))).QueueUrl!;
  const deadArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `tandem-jobs-${Date.now()}`, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadArn, maxReceiveCount: MAX_RECEIVES }) } }))).QueueUrl!;
  ann = await h.member("ann@example.com", "Ann");
  orgId = (await ann.agent.post("/api/orgs").set("x-csrf-token", ann.csrf).send({ name: "Ann Co", slug: "ann-co" }).expect(201)).body.organisation.id;
  notebookId = (await ann.agent.post(`/api/orgs/${orgId}/notebooks`).set("x-csrf-token", ann.csrf).send({}).expect(201)).body.notebook.id;
});
afterAll(async () => {
  await standIn?.close();
  await h?.close();
});

/** Uploads a Markdown file through the API built on `deps` and completes it: 202, its reading queued. */
async function uploadAndComplete(deps: AppDeps, name: string, text: string): Promise<string> {
  const app = createApp(deps);
  const signIn = await request(app).post("/api/auth/sign-in").send({ email: ann.email, password: ann.password }).expect(200);
  const cookies = (signIn.headers["set-cookie"] as unknown as string[]).map((c) => c.split(";")[0]).join("; ");
  const csrf = decodeURIComponent(/tandem_csrf=([^;]+)/.exec(cookies)![1]!);
  const bytes = new TextEncoder().encode(text);
  const files = `/api/orgs/${orgId}/notebooks/${notebookId}/files`;
  const registered = await request(app).post(files).set("cookie", cookies).set("x-csrf-token", csrf).send({ name, type: "text/markdown", size: bytes.length }).expect(201);
  const form = new FormData();
  for (const [k, v] of Object.entries(registered.body.upload.fields as Record<string, string>)) form.append(k, v);
  form.append("file", new Blob([bytes], { type: "text/markdown" }));
  expect((await fetch(registered.body.upload.url, { method: "POST", body: form })).status).toBeLessThan(300);
  const queued = await request(app).post(`${files}/${registered.body.file.id}/complete`).set("cookie", cookies).set("x-csrf-token", csrf).expect(202);
  expect(queued.body.file).toMatchObject({ status: "processing" });
  return registered.body.file.id as string;
}

async function receive(url: string): Promise<SQSRecord | undefined> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
  const m = Messages[0];
  return m ? ({ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body!, attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? "1" } } as unknown as SQSRecord) : undefined;
}

const fileOf = async (id: string) => ((await ann.agent.get(`/api/orgs/${orgId}/notebooks/${notebookId}/files`).expect(200)).body.files as Array<{ id: string; status: string; error?: string; embedded: number; chunkCount: number }>).find((f) => f.id === id)!;

describe("knowledge files through the jobs queue (SQS in moto)", () => {
  it("are read by the queue's consumer, not in the request, and end ready with their progress", async () => {
    const deps = depsWith({});
    const text = Array.from({ length: 60 }, (_, i) => `Paragraph ${i}: the harbour library keeps ${i} maps of the coast.`).join("\n\n");
    const id = await uploadAndComplete(deps, "maps.md", text);
    expect((await fileOf(id)).status).toBe("processing");
    const record = (await receive(queueUrl))!;
    expect(JSON.parse(record.body)).toEqual({ kind: "knowledge.process", tenantId: orgId, userId: ann.userId, notebookId, fileId: id });
    expect(await queueHandler({ Records: [record] } as SQSEvent, deps)).toEqual({ batchItemFailures: [] });
    expect(await fileOf(id)).toMatchObject({ status: "ready" });
    const file = await fileOf(id);
    expect(file.embedded).toBe(file.chunkCount);
    expect(file.chunkCount).toBeGreaterThan(1);
  });

  it("retries a reading that keeps failing for a passing reason, then ends it failed with the reason, in the dead-letter queue", async () => {
    // Bedrock "away": the embedding calls reach a closed port.
    const deps = depsWith({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "http://127.0.0.1:9" });
    const id = await uploadAndComplete(deps, "poisoned.md", "# A file\n\nWhose passages cannot be embedded right now.");
    for (let delivery = 1; delivery <= MAX_RECEIVES; delivery++) {
      const record = (await receive(queueUrl))!;
      expect(record, `delivery ${delivery}`).toBeDefined();
      const result = await queueHandler({ Records: [record] } as SQSEvent, deps);
      if (delivery < MAX_RECEIVES) {
        // Passed back to SQS: the file waits, still processing.
        expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
        expect((await fileOf(id)).status).toBe("processing");
      }
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: (record as unknown as { receiptHandle: string }).receiptHandle, VisibilityTimeout: 0 }));
    }
    // The last attempt recorded why; SQS moves the message to the dead-letter queue on the next receive.
    expect(await fileOf(id)).toMatchObject({ status: "failed", error: expect.stringMatching(/./) });
    expect(await receive(queueUrl)).toBeUndefined();
    const dead = await receive(deadUrl);
    expect(JSON.parse(dead!.body)).toMatchObject({ kind: "knowledge.process", fileId: id });
  });
});
