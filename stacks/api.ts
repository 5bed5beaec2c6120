import { randomBytes } from "node:crypto";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";
import * as eventsLib from "aws-cdk-lib/aws-events";
import * as eventTargets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import { Function as SstFunction, Api as SstApi, Queue, getStack, use, type FunctionProps, type StackContext } from "sst/constructs";
import { apiHandler } from "./paths.js";
import { Secrets } from "./config.js";
import { Migrations } from "./migrations.js";
import { Email } from "./email.js";
import { Events } from "./events.js";
import { databaseFunctionProps } from "./functions.js";
import { Live } from "./live.js";
import { Network } from "./network.js";
import { stageSettings } from "./settings.js";
import { Storage } from "./storage.js";

/** The Express app (packages/api) on one Lambda behind an HTTP API. */
export function Api({ stack, app }: StackContext) {
  const settings = stageSettings(app);
  // New code starts on migrated data: this stack deploys after the data migrations.
  stack.addDependency(getStack(Migrations));
  const { secrets } = use(Secrets);
  const { vpc } = use(Network);
  const { knowledgeFiles, generatedImages, appFiles } = use(Storage);
  const { configurationSet, sendPolicy } = use(Email);
  const { bus } = use(Events);
  const { api: live } = use(Live);
  const putEvents = new iam.PolicyStatement({ actions: ["events:PutEvents"], resources: [bus.eventBusArn] });
  // Bedrock in us-east-1: replies (Converse, ConverseStream), embeddings and images (InvokeModel),
  // guardrails, and reading what the account offers for the model picker.
  const bedrock = new iam.PolicyStatement({
    actions: [
      "bedrock:InvokeModel",
      "bedrock:InvokeModelWithResponseStream",
      "bedrock:ApplyGuardrail",
      "bedrock:ListFoundationModels",
      "bedrock:ListInferenceProfiles",
      "bedrock:GetFoundationModelAvailability",
    ],
    resources: ["*"],
  });

  // Shared by the web app's /api proxy and the API, so the API believes the viewer address the
  // proxy passes on (packages/api/src/http/client-address.ts). New at every deploy, which
  // updates both functions together; nobody needs to set or rotate it.
  const proxyKey = randomBytes(32).toString("base64url");

  const base = databaseFunctionProps({ settings, stage: app.stage, vpc, secrets });
  const functionProps: FunctionProps = {
    ...base,
    bind: [...secrets, knowledgeFiles, generatedImages, appFiles],
    permissions: [sendPolicy, bedrock],
    environment: {
      ...base.environment,
      TANDEM_PROXY_KEY: proxyKey,
      KNOWLEDGE_FILES_BUCKET: knowledgeFiles.bucketName,
      GENERATED_IMAGES_BUCKET: generatedImages.bucketName,
      APP_FILES_BUCKET: appFiles.bucketName,
      SES_CONFIGURATION_SET: configurationSet.configurationSetName,
      // Live updates: tickets name this WebSocket address (stacks/live.ts).
      LIVE_URL: live.url,
    },
  };

  // Work the API queues instead of doing it inside a request (packages/core/src/jobs): mails whose
  // timing would tell which addresses have accounts. A job that keeps failing ends in the
  // dead-letter queue after five attempts, kept for two weeks.
  const JOBS_TIMEOUT_SECONDS = 900;
  const deadLetters = new sqs.Queue(stack, "JobsDeadLetters", { retentionPeriod: Duration.days(14), enforceSSL: true });
  deadLetters.applyRemovalPolicy(settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
  const jobs = new Queue(stack, "Jobs", {
    consumer: {
      // Mails, and reading knowledge files: extraction (in a child process, up to 1,536 MB) and
      // embedding of a large file take minutes and memory (a 20 MB text is ~30,000 passages: at
      // 8 embedding calls in flight and ~100 ms a call, about 6 minutes). Lambda's longest timeout.
      function: {
        ...functionProps,
        handler: apiHandler("jobs/queue"),
        timeout: JOBS_TIMEOUT_SECONDS,
        memorySize: 2048,
        // One job at a time per instance: writes of a large file in parallel batches, the lease, progress.
        environment: { ...functionProps.environment, MONGODB_MAX_POOL_SIZE: "4" },
      },
      cdk: { eventSource: { batchSize: 1, reportBatchItemFailures: true } },
    },
    // Visibility: six times the consumer's timeout, as AWS advises for Lambda event sources.
    cdk: { queue: { visibilityTimeout: Duration.seconds(6 * JOBS_TIMEOUT_SECONDS), enforceSSL: true, deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 } } },
  });
  // The control plane's events (stacks/events.ts): its requests and the answers, routed by a rule
  // to a queue whose consumer runs both planes' handlers (packages/api/src/jobs/events.ts). An
  // event that keeps failing ends in the dead-letter queue after five attempts; one EventBridge
  // cannot deliver to the queue goes to it too.
  const eventDeadLetters = new sqs.Queue(stack, "EventsDeadLetters", { retentionPeriod: Duration.days(14), enforceSSL: true });
  eventDeadLetters.applyRemovalPolicy(settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
  const eventQueue = new Queue(stack, "ControlPlaneEvents", {
    consumer: {
      function: { ...functionProps, handler: apiHandler("jobs/events"), timeout: 120, environment: { ...functionProps.environment, EVENT_BUS_NAME: bus.eventBusName }, permissions: [sendPolicy, bedrock, putEvents] },
      cdk: { eventSource: { batchSize: 1, reportBatchItemFailures: true } },
    },
    cdk: { queue: { visibilityTimeout: Duration.seconds(6 * 120), enforceSSL: true, deadLetterQueue: { queue: eventDeadLetters, maxReceiveCount: 5 } } },
  });
  new eventsLib.Rule(stack, "PlanesRule", {
    eventBus: bus,
    eventPattern: { source: ["sbt.control.plane", "sbt.application.plane"] },
    targets: [new eventTargets.SqsQueue(eventQueue.cdk.queue, { deadLetterQueue: eventDeadLetters })],
  });

  const apiFunctionProps: FunctionProps = {
    ...functionProps,
    environment: { ...functionProps.environment, JOBS_QUEUE_URL: jobs.queueUrl, EVENT_BUS_NAME: bus.eventBusName },
    permissions: [sendPolicy, bedrock, jobs, putEvents],
  };

  const api = new SstApi(stack, "Api", {
    defaults: { function: apiFunctionProps },
    routes: {
      $default: apiHandler("lambda"),
    },
  });
  // SST retains the access log group whatever the stage; only production should keep it.
  api.cdk.accessLogGroup?.applyRemovalPolicy(settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);

  // Streamed replies: the same app on a function URL in RESPONSE_STREAM mode, because API Gateway
  // buffers responses and stops at 30 s. Only the web app's proxy sends the streaming routes here.
  const stream = new SstFunction(stack, "StreamApi", {
    ...apiFunctionProps,
    handler: apiHandler("stream-lambda"),
    // A long answer from a large model may take minutes.
    timeout: 300,
    url: { streaming: true, cors: false },
  });
  // The queues' ARNs, for replaying a dead-letter queue (docs/operations.md).
  stack.addOutputs({
    ApiUrl: api.url,
    StreamUrl: stream.url ?? "",
    JobsQueueArn: jobs.queueArn,
    JobsDeadLettersArn: deadLetters.queueArn,
    EventsQueueArn: eventQueue.queueArn,
    EventsDeadLettersArn: eventDeadLetters.queueArn,
  });
  return { api, stream, proxyKey, jobs, deadLetters, eventQueue, eventDeadLetters };
}
