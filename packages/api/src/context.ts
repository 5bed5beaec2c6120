import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { eventBridgePublisher } from "@tandem/core/control-plane";
import { handleControlPlaneEvent, inProcessEvents } from "./control-plane-events.js";
import { inProcessQueue, sqsQueue, type Delivery, type Job, type JobQueue } from "@tandem/core/jobs";
import { createBedrockClient, createBedrockControlClient, DEFAULT_MODELS, LOCAL_EMBEDDING_MODEL, LOCAL_IMAGE_MODEL, LOCAL_TEST_MODEL, modelCatalog, standInCatalog } from "@tandem/core/ai";
import { enabledIntegrations, isLoopbackUrl, loadRuntimeConfig, type Source } from "@tandem/core/config";
import { getConnection, isDatabaseUnavailable } from "@tandem/core/database";
import { configureAccessCache } from "@tandem/core/tenancy";
import { isDomainError } from "@tandem/core/errors";
import { mailerFromConfig } from "@tandem/core/mail";
import type { AppDeps } from "./deps.js";
import { runJob } from "./jobs/run.js";
import { createLogger, type Logger } from "./logger.js";
import { accessCacheTtlFrom, poolSizeFrom } from "./tuning.js";

/** Set by the stacks from the release being deployed; "dev" in pnpm dev and tests. */
export function versionFrom(source: Source): string {
  return source.TANDEM_VERSION ?? "dev";
}

/**
 * Bedrock in us-east-1, or the local stand-in when AWS_ENDPOINT_URL_BEDROCK_RUNTIME points at a
 * loopback address (pnpm dev without AWS, tests): then the stand-in's test model is offered, first,
 * and clearly named as such.
 */
export function aiFrom(source: Source, models = DEFAULT_MODELS): AppDeps["ai"] {
  const endpoint = source.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
  const local = endpoint !== undefined && isLoopbackUrl(endpoint);
  // The stand-in ignores signatures; any credentials will do when none are configured.
  const credentials = local ? { accessKeyId: source.AWS_ACCESS_KEY_ID ?? "AKIDLOCALSTANDIN", secretAccessKey: source.AWS_SECRET_ACCESS_KEY ?? "local-stand-in" } : undefined;
  // Bedrock's control API (what the account offers): AWS_ENDPOINT_URL_BEDROCK points it elsewhere
  // (tests); with the local stand-in and no such endpoint there is no account to ask.
  const controlEndpoint = source.AWS_ENDPOINT_URL_BEDROCK;
  const control = controlEndpoint ? createBedrockControlClient({ endpoint: controlEndpoint, credentials: isLoopbackUrl(controlEndpoint) ? { accessKeyId: "AKIDLOCALSTANDIN", secretAccessKey: "local-stand-in" } : undefined }) : local ? undefined : createBedrockControlClient();
  return {
    bedrock: createBedrockClient({ endpoint, credentials }),
    catalog: local ? standInCatalog([LOCAL_TEST_MODEL, LOCAL_EMBEDDING_MODEL, LOCAL_IMAGE_MODEL], models) : modelCatalog(models),
    local,
    ...(control ? { control } : {}),
  };
}

/** Credentials given in the source (tests, pnpm dev); otherwise the SDK's own chain (the Lambda's role). */
function awsCredentials(source: Source) {
  return source.AWS_ACCESS_KEY_ID && source.AWS_SECRET_ACCESS_KEY ? { accessKeyId: source.AWS_ACCESS_KEY_ID, secretAccessKey: source.AWS_SECRET_ACCESS_KEY, sessionToken: source.AWS_SESSION_TOKEN } : undefined;
}

/** S3 in the stage's region, or moto / another endpoint when AWS_ENDPOINT_URL(_S3) is set. */
export function storageFrom(source: Source): AppDeps["storage"] {
  const endpoint = source.AWS_ENDPOINT_URL_S3 ?? source.AWS_ENDPOINT_URL;
  return {
    s3: new S3Client({ region: source.AWS_REGION ?? "us-east-1", endpoint, forcePathStyle: Boolean(endpoint), credentials: awsCredentials(source) }),
    knowledgeBucket: source.KNOWLEDGE_FILES_BUCKET,
    imagesBucket: source.GENERATED_IMAGES_BUCKET,
  };
}

/** Runs a job in this process, when there is no queue (JOBS_QUEUE_URL) to send it to. */
export type JobRunner = (deps: AppDeps, job: Job, delivery: Delivery) => Promise<void>;

/**
 * Builds the app's dependencies from the environment (plus secrets) and says what is on. Without a
 * jobs queue, jobs of every kind run in this process (pnpm dev, tests, the queue's consumer).
 */
export function createDeps(source: Source, logger?: Logger, options: Pick<AppDeps, "issuerOverrides"> = {}): AppDeps {
  return createDepsWith(runJob, source, logger, options);
}

/**
 * createDeps with what runs jobs in this process. The API's Lambda functions give one that cannot
 * read knowledge files (lambda-deps.ts), so that their bundles do not hold the extractors: they only
 * use this module's other exports, and esbuild leaves createDeps and what only it reaches out.
 */
export function createDepsWith(run: JobRunner, source: Source, logger?: Logger, options: Pick<AppDeps, "issuerOverrides"> = {}): AppDeps {
  const config = loadRuntimeConfig(source);
  const log = logger ?? createLogger({ stage: config.stage, level: source.LOG_LEVEL, pretty: source.LOG_FORMAT === "pretty" });
  for (const warning of config.warnings) log.warn(warning);
  log.info({ stage: config.stage, integrations: enabledIntegrations(config) }, "configuration loaded");
  // One cache per process (module scope, like the connection); see packages/core/src/access/cache.ts.
  configureAccessCache({ ttlMs: accessCacheTtlFrom(source) });
  const maxPoolSize = poolSizeFrom(source);
  const deps: AppDeps = {
    config,
    logger: log,
    version: versionFrom(source),
    database: () => getConnection({ uri: config.mongodbUri, tlsCAFile: source.MONGODB_TLS_CA_FILE, maxPoolSize }),
    mailer: mailerFromConfig(config.mail, {
      configurationSet: source.SES_CONFIGURATION_SET,
      onFailure: (failure) => log.warn({ mail: failure }, "mail attempt failed"),
    }),
    ai: aiFrom(source, config.models),
    storage: storageFrom(source),
    appUrl: (source.APP_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, ""),
    proxyKey: source.TANDEM_PROXY_KEY || undefined,
    stripeApiUrl: source.STRIPE_API_URL || undefined,
    liveUrl: source.LIVE_URL || undefined,
    // The control plane's bus; without one (pnpm dev, most tests) its events are handled in this process.
    events: source.EVENT_BUS_NAME
      ? eventBridgePublisher(new EventBridgeClient({ region: source.AWS_REGION ?? "us-east-1", endpoint: source.AWS_ENDPOINT_URL_EVENTBRIDGE ?? source.AWS_ENDPOINT_URL, credentials: awsCredentials(source) }), source.EVENT_BUS_NAME)
      : inProcessEvents(
          (event) => handleControlPlaneEvent(deps, event),
          (error, event) => log.error({ err: error, detailType: event.detailType, eventId: event.id }, "control plane event failed"),
        ),
    jobs: jobsFrom(source, (job, delivery) => run(deps, job, delivery), log),
    ...options,
  };
  return deps;
}

/** SQS when the stack gave a queue (JOBS_QUEUE_URL), otherwise this process after the answer. */
export function jobsFrom(source: Source, run: Parameters<typeof inProcessQueue>[0], log: Logger): JobQueue {
  if (source.JOBS_QUEUE_URL) {
    const endpoint = source.AWS_ENDPOINT_URL_SQS ?? source.AWS_ENDPOINT_URL;
    return sqsQueue(new SQSClient({ region: source.AWS_REGION ?? "us-east-1", endpoint, credentials: awsCredentials(source) }), source.JOBS_QUEUE_URL);
  }
  return inProcessQueue(run, (error, job) => log.error({ err: error, kind: job.kind }, "background job failed"), { retryable: (error) => isDatabaseUnavailable(error) || (isDomainError(error) && error.kind === "unavailable") });
}
