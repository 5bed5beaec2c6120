import { RemovalPolicy } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as iam from "aws-cdk-lib/aws-iam";
import { Service, getStack, use, WebSocketApi, type StackContext } from "sst/constructs";
import { apiHandler, tandemPaths } from "./paths.js";
import { Secrets } from "./config.js";
import { Migrations } from "./migrations.js";
import { appUrlEnvironment, databaseFunctionProps } from "./functions.js";
import { Network } from "./network.js";
import { logRetentionOf, stageSettings } from "./settings.js";

/**
 * The subscriber fan-out's image: in this repository built from the sources with the repository as
 * its context; in a customer repository from the bundle the installed @tandem/api ships.
 */
export function fanOutBuildContext(): { path: string; file: string } {
  const { api, apiCode } = tandemPaths();
  return apiCode === "src" ? { path: ".", file: `${api}/fanout.Dockerfile` } : { path: api, file: "fanout.package.Dockerfile" };
}
/** The tag the fan-out's build cache is kept under in ECR_CACHE_REPO. */
export const FANOUT_CACHE_TAG = "subscriber-fanout-cache";

/**
 * Live updates (seed 000's design): a WebSocket API whose $connect / $default / $disconnect run
 * packages/api/src/live/lambda.ts, and the subscriber fan-out, a container service (one task)
 * that reads the live-update log and posts each event to the connections that follow it. The
 * image's build uses ECR_CACHE_REPO as its cache, shared by every stage of the app.
 */
export function Live({ stack, app }: StackContext) {
  const settings = stageSettings(app);
  // New code starts on migrated data: this stack deploys after the data migrations.
  stack.addDependency(getStack(Migrations));
  const { secrets } = use(Secrets);
  const { vpc } = use(Network);
  const base = databaseFunctionProps({ settings, stage: app.stage, vpc, secrets });

  const api = new WebSocketApi(stack, "LiveApi", {
    defaults: { function: { ...base, handler: apiHandler("live/lambda"), timeout: 10 } },
    routes: { $connect: apiHandler("live/lambda"), $default: apiHandler("live/lambda"), $disconnect: apiHandler("live/lambda") },
  });
  // The routes answer a message on its own connection (replays, pongs).
  api.attachPermissions([new iam.PolicyStatement({ actions: ["execute-api:ManageConnections"], resources: [api._connectionsArn] })]);
  const managementEndpoint = api.cdk.webSocketStage.callbackUrl;
  // SST retains the access log group whatever the stage; only production should keep it.
  api.cdk.accessLogGroup?.applyRemovalPolicy(settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);

  const cache = settings.ecrCacheRepo ? `${settings.ecrCacheRepo}:${FANOUT_CACHE_TAG}` : undefined;
  const fanOut = new Service(stack, "SubscriberFanOut", {
    ...fanOutBuildContext(),
    port: 8080,
    cpu: "0.25 vCPU",
    memory: "0.5 GB",
    // One task: a second would send each event twice (clients drop repeats, but it is waste).
    scaling: { minContainers: 1, maxContainers: 1 },
    logRetention: logRetentionOf(settings).name,
    bind: [...secrets],
    permissions: [new iam.PolicyStatement({ actions: ["execute-api:ManageConnections"], resources: [api._connectionsArn] })],
    environment: {
      LIVE_MANAGEMENT_ENDPOINT: managementEndpoint,
      SST_APP: app.name,
      SST_STAGE: app.stage,
      SEED_APP_NAME: settings.app,
      TANDEM_VERSION: process.env.TANDEM_VERSION ?? app.stage,
      ...appUrlEnvironment(settings),
    },
    build: cache
      ? {
          cacheFrom: [{ type: "registry", params: { ref: cache } }],
          // ECR takes a registry cache only as an OCI image manifest.
          cacheTo: { type: "registry", params: { ref: cache, mode: "max", "image-manifest": "true", "oci-mediatypes": "true" } },
        }
      : undefined,
    cdk: {
      vpc,
      // A worker, not a website: no load balancer and no CloudFront in front of it.
      applicationLoadBalancer: false,
      cloudfrontDistribution: false,
      fargateService: { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, circuitBreaker: { rollback: true } },
    },
  });
  stack.addOutputs({ LiveUrl: api.url });
  return { api, fanOut, managementEndpoint };
}
