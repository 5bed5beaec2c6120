import { CreateEventBusCommand, DeleteEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { expect } from "vitest";
import type { AppDeps } from "../src/deps.js";
import { handler as eventsHandler } from "../src/jobs/events.js";

/**
 * A bus on moto's EventBridge routed as the events stack routes it (the control plane's requests
 * and the application plane's answers, by a real rule, to a queue), and the queue's consumer fed
 * its real messages as Lambda would.
 */
export interface PlanesBus {
  readonly name: string;
  /** Receives (and deletes) what the queue holds. */
  messages(): Promise<Message[]>;
  /** Messages as Lambda delivers them, `receives` being their delivery count. */
  sqsEvent(batch: Message[], receives?: number): SQSEvent;
  /** Runs the consumer until the queue is quiet; returns the detail types it handled. */
  drain(deps: AppDeps): Promise<string[]>;
  close(): Promise<void>;
}

export async function planesBus(aws: Record<string, string | undefined>, prefix: string): Promise<PlanesBus> {
  const credentials = { accessKeyId: aws.AWS_ACCESS_KEY_ID!, secretAccessKey: aws.AWS_SECRET_ACCESS_KEY! };
  const region = aws.AWS_REGION ?? "us-east-1";
  const events = new EventBridgeClient({ region, endpoint: aws.AWS_ENDPOINT_URL, credentials });
  const sqs = new SQSClient({ region, endpoint: aws.AWS_ENDPOINT_URL, credentials });
  const name = `${prefix}-${Date.now()}`;
  await events.send(new CreateEventBusCommand({ Name: name }));
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-events` }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  await events.send(new PutRuleCommand({ Name: "planes", EventBusName: name, EventPattern: JSON.stringify({ source: ["sbt.control.plane", "sbt.application.plane"] }) }));
  await events.send(new PutTargetsCommand({ Rule: "planes", EventBusName: name, Targets: [{ Id: "queue", Arn: queueArn }] }));

  async function messages(): Promise<Message[]> {
    const out: Message[] = [];
    for (let round = 0; round < 5; round++) {
      const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: round === 0 ? 1 : 0, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
      if (!res.Messages?.length) break;
      out.push(...res.Messages);
      for (const m of res.Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
    return out;
  }
  const sqsEvent = (batch: Message[], receives = 1): SQSEvent =>
    ({ Records: batch.map((m) => ({ messageId: m.MessageId!, body: m.Body!, attributes: { ApproximateReceiveCount: String(receives) } })) }) as unknown as SQSEvent;

  return {
    name,
    messages,
    sqsEvent,
    async drain(deps) {
      const seen: string[] = [];
      for (let round = 0; round < 6; round++) {
        const batch = await messages();
        if (batch.length === 0) break;
        seen.push(...batch.map((m) => (JSON.parse(m.Body!) as { "detail-type": string })["detail-type"]));
        const result = await eventsHandler(sqsEvent(batch), deps);
        expect(result.batchItemFailures).toEqual([]);
      }
      return seen;
    },
    async close() {
      await events.send(new DeleteEventBusCommand({ Name: name })).catch(() => undefined);
    },
  };
}
