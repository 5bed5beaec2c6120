import { Duration } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as events from "aws-cdk-lib/aws-events";
import * as eventTargets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import { WARM_UP_EVENT } from "@tandem/core/monitoring";
import { Cron, use, type StackContext } from "sst/constructs";
import { apiHandler } from "./paths.js";
import { Api } from "./api.js";
import { Secrets } from "./config.js";
import { Events } from "./events.js";
import { Network } from "./network.js";
import { Storage } from "./storage.js";
import { stageSettings } from "./settings.js";

/**
 * Scheduled work: the hourly housekeeping that removes expired links, tokens and invitations, the
 * billing job and, with ENABLE_WARMING, the API's warming (the web app's is NextjsSite's own).
 */
export function Jobs({ stack, app }: StackContext) {
  const settings = stageSettings(app);
  const { secrets } = use(Secrets);
  const { vpc } = use(Network);
  const { knowledgeFiles, generatedImages } = use(Storage);
  const { bus } = use(Events);
  const housekeeping = new Cron(stack, "Housekeeping", {
    schedule: "rate(1 hour)",
    job: {
      function: {
        handler: apiHandler("jobs/housekeeping"),
        runtime: "nodejs20.x",
        // Same network as the API, to reach DocumentDB.
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        timeout: 300,
        memorySize: 512,
        // The knowledge bucket, to delete the files of uploads that never finished; both buckets, to
        // remove an offboarded tenant's files.
        bind: [...secrets, knowledgeFiles, generatedImages],
        // The control plane's bus, to publish the lifecycle events a crash left in tenants' outboxes.
        environment: { SEED_APP_NAME: settings.app, TANDEM_VERSION: process.env.TANDEM_VERSION ?? app.stage, KNOWLEDGE_FILES_BUCKET: knowledgeFiles.bucketName, GENERATED_IMAGES_BUCKET: generatedImages.bucketName, EVENT_BUS_NAME: bus.eventBusName },
        permissions: [new iam.PolicyStatement({ actions: ["events:PutEvents"], resources: [bus.eventBusArn] })],
        nodejs: { format: "esm", sourcemap: true },
      },
    },
  });
  // Billing: credits spent by usage; with the STRIPE_* secrets, customers and usage pushed to Stripe's meters.
  const billing = new Cron(stack, "Billing", {
    schedule: "rate(15 minutes)",
    job: {
      function: {
        handler: apiHandler("jobs/billing"),
        runtime: "nodejs20.x",
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        timeout: 300,
        memorySize: 512,
        bind: [...secrets],
        environment: { SEED_APP_NAME: settings.app, TANDEM_VERSION: process.env.TANDEM_VERSION ?? app.stage },
        nodejs: { format: "esm", sourcemap: true },
      },
    },
  });
  // Warming: every 5 minutes the API function gets a warm-up event (not a request), so that one
  // instance keeps its started app and database connection and the next person skips a cold start.
  const { api } = use(Api);
  const warming = settings.warming
    ? new events.Rule(stack, "ApiWarming", {
        schedule: events.Schedule.rate(Duration.minutes(5)),
        targets: [new eventTargets.LambdaFunction(api.getFunction("$default")!, { event: events.RuleTargetInput.fromObject(WARM_UP_EVENT), retryAttempts: 0 })],
      })
    : undefined;
  return { housekeeping, billing, warming };
}
