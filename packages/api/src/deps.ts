import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import type { S3Client } from "@aws-sdk/client-s3";
import type { BedrockClient, ModelCatalog } from "@tandem/core/ai";
import type { RuntimeConfig } from "@tandem/core/config";
import type { EventPublisher } from "@tandem/core/control-plane";
import type { JobQueue } from "@tandem/core/jobs";
import type { Mailer } from "@tandem/core/mail";
import type { Connection } from "mongoose";
import type { Logger } from "./logger.js";

/** Everything the Express app needs, built once per process (or per warm Lambda). */
export interface AppDeps {
  readonly config: RuntimeConfig;
  readonly logger: Logger;
  readonly version: string;
  /** The shared database connection; connects on first use and after an outage. */
  readonly database: () => Promise<Connection>;
  readonly mailer: Mailer;
  /** Work done after the answer: SQS on AWS (JOBS_QUEUE_URL), this process elsewhere. */
  readonly jobs: JobQueue;
  /** Address of the web app, for links in mails (APP_URL). */
  readonly appUrl: string;
  /** Amazon Bedrock (us-east-1) or the local stand-in, and the model catalog. */
  /** `control`: Bedrock's control API, to read what the account offers (absent with the local stand-in and no AWS_ENDPOINT_URL_BEDROCK). */
  readonly ai: { readonly bedrock: BedrockRuntimeClient; readonly catalog: ModelCatalog; readonly local: boolean; readonly control?: BedrockClient };
  /** S3 and the knowledge-files bucket (KNOWLEDGE_FILES_BUCKET, set by the stacks and pnpm dev). */
  readonly storage: { readonly s3: S3Client; readonly knowledgeBucket?: string; readonly imagesBucket?: string };
  /** The control plane's event bus (EVENT_BUS_NAME, set by the events stack; moto's locally); absent: events wait in the outbox. */
  readonly events?: EventPublisher;
  /** Shared with the stage's web app, whose /api proxy vouches with it for the client's address. */
  readonly proxyKey?: string;
  /** The WebSocket address of live updates (LIVE_URL: the WebSocket API on AWS, the local gateway in `pnpm dev`); absent: views refresh themselves. */
  readonly liveUrl?: string;
  /** Stripe's API at a local server (stripe-mock or localstripe; STRIPE_API_URL); never set in a stage. */
  readonly stripeApiUrl?: string;
  /** Tests point Google / Okta sign-in at a local OpenID provider; never set in a stage. */
  readonly issuerOverrides?: { readonly google?: string; readonly okta?: string };
}
