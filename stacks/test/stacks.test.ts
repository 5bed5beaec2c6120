import { SECRET_NAMES } from "@tandem/core/config";
import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { fanOutBuildContext } from "../live.js";
import { apiHandler } from "../paths.js";
import { synthesize, type Synthesized } from "./synth.js";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab";
const IMPORTED_VPC = "vpc-0abc1234def567890";

function resources(s: Synthesized, stack: Parameters<Synthesized["template"]>[0], type: string): Record<string, { Properties?: Record<string, unknown>; DeletionPolicy?: string }> {
  return s.template(stack).findResources(type);
}

/** The API's functions: the one behind the HTTP API and the streaming one behind its function URL. */
function apiFunctions(s: Synthesized) {
  // (The jobs queue's consumer has the secrets too, but queues nothing: it has no JOBS_QUEUE_URL.)
  return Object.entries(resources(s, "Api", "AWS::Lambda::Function")).filter(([, f]) => {
    const env = JSON.stringify(f.Properties?.Environment ?? {});
    return env.includes("SST_Secret_value_MONGODB_URI") && env.includes("JOBS_QUEUE_URL");
  });
}

/** The events stack's bus, its rule to the events queue, the consumer, dead letters, and who may publish. */
function controlPlaneEvents(s: Synthesized): void {
  s.template("Events").resourceCountIs("AWS::Events::EventBus", 1);
  const api = s.template("Api");
  api.hasResourceProperties("AWS::Events::Rule", {
    EventPattern: { source: ["sbt.control.plane", "sbt.application.plane"] },
    Targets: Match.arrayWith([Match.objectLike({ DeadLetterConfig: Match.anyValue() })]),
  });
  const consumer = Object.values(resources(s, "Api", "AWS::Lambda::Function")).find((f) => {
    const env = JSON.stringify(f.Properties?.Environment ?? {});
    return env.includes("SST_Secret_value_MONGODB_URI") && env.includes("EVENT_BUS_NAME") && !env.includes("JOBS_QUEUE_URL");
  });
  expect(consumer, "the events queue's consumer").toBeDefined();
  api.hasResourceProperties("AWS::Lambda::EventSourceMapping", { FunctionResponseTypes: ["ReportBatchItemFailures"], BatchSize: 1 });
  api.hasResourceProperties("AWS::SQS::Queue", { RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() }, VisibilityTimeout: 720 });
  expect(apiFunction(s).Environment.Variables.EVENT_BUS_NAME).toBeDefined();
  expect(JSON.stringify(api.findResources("AWS::IAM::Policy"))).toContain("events:PutEvents");
}

function apiFunction(s: Synthesized) {
  const fns = apiFunctions(s).filter(([id]) => !id.startsWith("StreamApi"));
  expect(fns).toHaveLength(1);
  return fns[0]![1].Properties as { Runtime: string; Environment: { Variables: Record<string, unknown> }; VpcConfig?: { SubnetIds: unknown[] } };
}

/** The warmer's WARM_PARAMS, flattened to text (it holds a reference to the server function). */
function warmParams(s: Synthesized): string {
  const warmer = Object.values(resources(s, "Web", "AWS::Lambda::Function")).find((f) => JSON.stringify(f.Properties).includes("WARM_PARAMS"));
  return JSON.stringify((warmer?.Properties as { Environment: { Variables: { WARM_PARAMS: unknown } } }).Environment.Variables.WARM_PARAMS);
}

const ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/tandem/subscriber-fanout";

/**
 * Live updates on every stage: the WebSocket API's three routes on one function in the VPC with
 * the stage's secrets, the fan-out as one Fargate task in the private subnets (no load balancer),
 * allowed to post to the API's connections and told where; the API's functions name the WebSocket.
 */
function liveUpdates(s: Synthesized, options: { cache: string | undefined; logDays: number }): void {
  const live = s.template("Live");
  live.hasResourceProperties("AWS::ApiGatewayV2::Api", { ProtocolType: "WEBSOCKET" });
  const routes = Object.values(resources(s, "Live", "AWS::ApiGatewayV2::Route")).map((r) => r.Properties?.RouteKey);
  expect(routes.sort()).toEqual(["$connect", "$default", "$disconnect"]);
  const fns = Object.values(resources(s, "Live", "AWS::Lambda::Function")).map((f) => f.Properties as { VpcConfig?: unknown; Environment?: { Variables: Record<string, unknown> } });
  const routeFns = fns.filter((f) => JSON.stringify(f.Environment?.Variables ?? {}).includes("SST_Secret_value_SESSION_SECRET"));
  expect(routeFns.length).toBeGreaterThanOrEqual(1);
  for (const fn of routeFns) expect(fn.VpcConfig).toBeDefined();

  live.resourceCountIs("AWS::ElasticLoadBalancingV2::LoadBalancer", 0);
  live.resourceCountIs("AWS::CloudFront::Distribution", 0);
  live.hasResourceProperties("AWS::ECS::Service", Match.objectLike({ LaunchType: "FARGATE", NetworkConfiguration: Match.objectLike({ AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: "DISABLED" }) }) }));
  const task = Object.values(resources(s, "Live", "AWS::ECS::TaskDefinition"))[0]!.Properties as { ContainerDefinitions: Array<{ Environment: Array<{ Name: string; Value: unknown }> }> };
  const env = Object.fromEntries(task.ContainerDefinitions[0]!.Environment.map((e) => [e.Name, e.Value]));
  expect(JSON.stringify(env.LIVE_MANAGEMENT_ENDPOINT)).toContain("execute-api");
  expect(Object.keys(env)).toEqual(expect.arrayContaining(["SST_Secret_value_MONGODB_URI", "SST_Secret_value_SESSION_SECRET"]));
  const policies = JSON.stringify(Object.values(resources(s, "Live", "AWS::IAM::Policy")));
  expect(policies).toContain("execute-api:ManageConnections");
  live.hasResourceProperties("Custom::LogRetention", { RetentionInDays: options.logDays });

  // The image's build cache: ECR_CACHE_REPO, read and written, when the stage has one.
  const build = s.fanOutBuild();
  if (options.cache) {
    expect(build?.cacheFrom).toEqual([{ type: "registry", params: { ref: `${options.cache}:subscriber-fanout-cache` } }]);
    expect(build?.cacheTo).toMatchObject({ type: "registry", params: { ref: `${options.cache}:subscriber-fanout-cache`, mode: "max", "image-manifest": "true" } });
  } else expect(build).toBeUndefined();
  expect(JSON.stringify(apiFunction(s).Environment.Variables.LIVE_URL)).toContain("LiveApi");
}

/**
 * Monitoring on every stage: one topic whose subscriber mails SUPPORT_EMAIL, the alarms (API 5xx
 * rate; errors, throttles and duration of each function; dead letters; the fan-out; the database
 * when named), each telling the topic when it fires and when it recovers; a dashboard; every log
 * group kept as long as the stage keeps logs.
 */
function monitoring(s: Synthesized, options: { logDays: number; database?: string }): void {
  const m = s.template("Monitoring");
  m.resourceCountIs("AWS::SNS::Topic", 1);
  m.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "lambda" });
  const mailer = Object.values(resources(s, "Monitoring", "AWS::Lambda::Function")).find((f) => JSON.stringify(f.Properties?.Environment ?? {}).includes("SST_Secret_value_SUPPORT_EMAIL"));
  expect(mailer, "the alarm mailer, bound to SUPPORT_EMAIL and the mail secrets").toBeDefined();
  expect(JSON.stringify(mailer!.Properties?.Environment)).toContain("SST_Secret_value_MAIL_HOST");
  expect(JSON.stringify(resources(s, "Monitoring", "AWS::IAM::Policy"))).toContain("ses:SendRawEmail");

  const alarms = Object.values(resources(s, "Monitoring", "AWS::CloudWatch::Alarm")).map((a) => a.Properties as { AlarmName: string; AlarmActions: unknown[]; OKActions: unknown[]; Metrics?: Array<{ Expression?: string }>; Namespace?: string; MetricName?: string; Dimensions?: Array<{ Name: string; Value: unknown }>; ExtendedStatistic?: string; Threshold: number });
  const named = (suffix: string) => alarms.find((a) => a.AlarmName.endsWith(`-${suffix}`));
  for (const a of alarms) {
    expect(a.AlarmActions, a.AlarmName).toHaveLength(1);
    expect(a.OKActions, a.AlarmName).toHaveLength(1);
  }
  expect(named("Api5xxRate")?.Metrics?.some((x) => x.Expression?.includes("100 * errors / requests"))).toBe(true);
  for (const fn of ["Api", "StreamApi", "LiveRoutes", "JobsConsumer", "EventsConsumer", "Housekeeping", "Billing", "WebServer"]) {
    expect(named(`${fn}Errors`)?.MetricName, fn).toBe("Errors");
    expect(named(`${fn}Throttles`)?.MetricName, fn).toBe("Throttles");
    expect(named(`${fn}Duration`)?.ExtendedStatistic, fn).toBe("p95");
  }
  // 80 % of the API's 29 s timeout, of the jobs consumer's 900 s.
  expect(named("ApiDuration")?.Threshold).toBe(23_200);
  expect(named("JobsConsumerDuration")?.Threshold).toBe(720_000);
  expect(named("JobsConsumerErrors")?.Threshold).toBe(1);
  for (const q of ["JobsDeadLettersDepth", "EventsDeadLettersDepth"]) expect(named(q)?.MetricName, q).toBe("ApproximateNumberOfMessagesVisible");
  expect(named("FanOutCpu")?.Namespace).toBe("AWS/ECS");
  if (options.database) {
    for (const [id, metric] of [["DatabaseCpu", "CPUUtilization"], ["DatabaseConnections", "DatabaseConnections"]] as const) {
      expect(named(id)).toMatchObject({ Namespace: "AWS/DocDB", MetricName: metric, Dimensions: [{ Name: "DBClusterIdentifier", Value: options.database }] });
    }
  } else expect(alarms.filter((a) => a.Namespace === "AWS/DocDB")).toEqual([]);

  const dashboards = Object.values(resources(s, "Monitoring", "AWS::CloudWatch::Dashboard"));
  expect(dashboards).toHaveLength(1);
  const body = JSON.stringify(dashboards[0]!.Properties?.DashboardBody);
  for (const title of ["Alarms", "API requests and errors", "Function errors", "Dead-letter queues", "Live-updates fan-out"]) expect(body).toContain(title);
  expect(body.includes("DocumentDB")).toBe(Boolean(options.database));

  // Every function's log group, the HTTP and WebSocket APIs' access logs, the web server's.
  for (const stack of ["Api", "Jobs", "Live", "Monitoring", "Web"] as const) {
    const retention = Object.values(resources(s, stack, "Custom::LogRetention")).map((r) => r.Properties?.RetentionInDays);
    expect(retention.length, stack).toBeGreaterThan(0);
    expect(new Set(retention), stack).toEqual(new Set([options.logDays]));
  }
  for (const stack of ["Api", "Live"] as const) s.template(stack).hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: options.logDays });
}

/**
 * The data migrations: a Script whose function runs at every deploy (create and update) in the
 * VPC with the stage's secrets, in a stack the API and live stacks deploy after.
 */
function migrations(s: Synthesized): void {
  const script = Object.values(resources(s, "Migrations", "Custom::SSTScript"));
  expect(script).toHaveLength(1);
  const props = script[0]!.Properties as { UserCreateFunction?: unknown; UserUpdateFunction?: unknown; Version?: string };
  expect(props.UserCreateFunction).toBeDefined();
  expect(props.UserUpdateFunction).toBeDefined();
  const fns = Object.values(resources(s, "Migrations", "AWS::Lambda::Function")).map((f) => f.Properties as { Timeout?: number; VpcConfig?: unknown; Environment?: { Variables: Record<string, unknown> } });
  const runner = fns.find((f) => JSON.stringify(f.Environment ?? {}).includes("SST_Secret_value_MONGODB_URI"));
  expect(runner, "the migrations function, bound to the stage's secrets").toBeDefined();
  expect(runner!.VpcConfig).toBeDefined();
  expect(runner!.Timeout).toBe(900);
  for (const stack of ["Api", "Live"] as const) expect(s.dependsOn(stack, "Migrations"), `${stack} after Migrations`).toBe(true);
}

/** The warming rule of the API function (ENABLE_WARMING), if any. */
function apiWarming(s: Synthesized) {
  return Object.values(resources(s, "Jobs", "AWS::Events::Rule")).filter((r) => JSON.stringify(r.Properties?.Targets ?? []).includes("tandemWarmUp"));
}

/** The site's firewall (WAF_RATE_LIMIT), if any. */
function firewall(s: Synthesized) {
  return Object.values(resources(s, "Web", "AWS::WAFv2::WebACL")).map((w) => w.Properties as { Scope: string; Rules: Array<{ Action: unknown; Statement: { RateBasedStatement?: { Limit: number; AggregateKeyType: string } } }> });
}

describe("production stage", () => {
  let s: Synthesized;
  beforeAll(async () => {
    s = await synthesize("production", {
      SERVER_DOMAIN: "example.com",
      APP_CERT_ARN: CERT,
      VPC_ID: IMPORTED_VPC,
      FAB_FILES_BUCKET_NAME: "acme-tandem-knowledge",
      ENABLE_BUCKET_VERSIONING: "true",
      ENABLE_WARMING: "true",
      ECR_CACHE_REPO: ECR,
      DOCDB_CLUSTER_ID: "tandem-production",
      WAF_RATE_LIMIT: "2000",
    });
  });

  it("runs the data migrations at every deploy, before the API and live stacks take new code", () => {
    migrations(s);
  });

  it("is monitored: alarms to a topic that mails SUPPORT_EMAIL, the database's too, a dashboard, logs kept a year", () => {
    monitoring(s, { logDays: 365, database: "tandem-production" });
  });

  it("puts a firewall with a rate limit per address in front of the site when WAF_RATE_LIMIT is set", () => {
    const [acl, ...others] = firewall(s);
    expect(others).toEqual([]);
    expect(acl).toMatchObject({ Scope: "CLOUDFRONT", Rules: [{ Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: "IP" } } }] });
    s.template("Web").hasResourceProperties("AWS::CloudFront::Distribution", { DistributionConfig: Match.objectLike({ WebACLId: Match.objectLike({ "Fn::GetAtt": Match.arrayWith([Match.stringLikeRegexp("SiteFirewall")]) }) }) });
  });

  it("warms the API function every 5 minutes with the warm-up event when ENABLE_WARMING is true", () => {
    const rules = apiWarming(s);
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties).toMatchObject({ ScheduleExpression: "rate(5 minutes)" });
    expect(JSON.stringify(rules[0]!.Properties?.Targets)).toContain(JSON.stringify(JSON.stringify({ tandemWarmUp: true })).slice(1, -1));
  });

  it("has live updates: the WebSocket API, the fan-out with the ECR build cache, logs kept a year", () => {
    liveUpdates(s, { cache: ECR, logDays: 365 });
  });

  it("serves the site at app.<SERVER_DOMAIN> with the given certificate, in the domain's own zone", () => {
    const web = s.template("Web");
    web.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        Aliases: ["app.example.com"],
        ViewerCertificate: Match.objectLike({ AcmCertificateArn: CERT }),
      }),
    });
    web.hasResourceProperties("AWS::Route53::RecordSet", { Name: "app.example.com.", Type: "A", HostedZoneId: "Z0EXAMPLEPROD" });
    expect(JSON.stringify(web.toJSON())).not.toContain("CertificateRequestor");
  });

  it("imports the VPC of VPC_ID instead of creating one, and runs the API in its private subnets", () => {
    s.template("Network").resourceCountIs("AWS::EC2::VPC", 0);
    s.template("Network").resourceCountIs("AWS::EC2::NatGateway", 0);
    expect(apiFunction(s).VpcConfig?.SubnetIds).toEqual(["subnet-0private000000a", "subnet-0private000000b"]);
  });

  it("imports FAB_FILES_BUCKET_NAME, creates the other buckets versioned, and retains them", () => {
    const buckets = resources(s, "Storage", "AWS::S3::Bucket");
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.DeletionPolicy).toBe("Retain");
      expect(bucket.Properties?.VersioningConfiguration).toEqual({ Status: "Enabled" });
    }
    expect(JSON.stringify(s.template("Api").toJSON())).toContain("acme-tandem-knowledge");
    s.template("Storage").resourceCountIs("Custom::S3AutoDeleteObjects", 0);
  });

  it("binds every secret of the stage contract to the API function on Node 20", () => {
    const fn = apiFunction(s);
    // The template holds SST's placeholder until `sst deploy` bundles; the construct has the runtime.
    expect(s.apiRuntime()).toBe("nodejs20.x");
    for (const name of SECRET_NAMES) expect(fn.Environment.Variables[`SST_Secret_value_${name}`]).toBe("__FETCH_FROM_SSM__");
    // The function may read exactly the SSM paths that readSstSecrets asks for: the stage's and the fallback.
    const ssmGrants = JSON.stringify(
      // CDK moves statements past the inline policy size limit into managed policies.
      [...Object.values(resources(s, "Api", "AWS::IAM::Policy")), ...Object.values(resources(s, "Api", "AWS::IAM::ManagedPolicy"))].flatMap((p) =>
        (p.Properties?.PolicyDocument as { Statement: Array<{ Action: unknown }> }).Statement.filter((st) => JSON.stringify(st.Action).includes("ssm:GetParameters")),
      ),
    );
    for (const name of SECRET_NAMES) {
      expect(ssmGrants).toContain(`parameter/sst/tandem/production/Secret/${name}/value`);
      expect(ssmGrants).toContain(`parameter/sst/tandem/.fallback/Secret/${name}/value`);
    }
  });

  it("runs the housekeeping job hourly and the billing job every 15 minutes, in the VPC with the stage's secrets", () => {
    const jobs = s.template("Jobs");
    jobs.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 hour)" });
    jobs.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(15 minutes)" });
    const fns = Object.values(resources(s, "Jobs", "AWS::Lambda::Function")).map((f) => f.Properties as { Handler?: string; Runtime: string; VpcConfig?: unknown; Environment?: { Variables: Record<string, unknown> } });
    const withDatabase = fns.filter((f) => JSON.stringify(f.Environment?.Variables ?? {}).includes("SST_Secret_value_MONGODB_URI"));
    expect(withDatabase).toHaveLength(2);
    for (const job of withDatabase) expect(job.VpcConfig).toBeDefined();
    // Housekeeping deletes the files of uploads that never finished from the knowledge bucket; billing reads the STRIPE_* secrets.
    expect(withDatabase.filter((f) => JSON.stringify(f.Environment?.Variables ?? {}).includes("KNOWLEDGE_FILES_BUCKET"))).toHaveLength(1);
    for (const job of withDatabase) expect(JSON.stringify(job.Environment?.Variables ?? {})).toContain("SST_Secret_value_STRIPE_SECRET_KEY");
    expect(s.jobRuntime()).toBe("nodejs20.x");
  });

  it("streams replies from a second function of the same app behind a RESPONSE_STREAM function URL", () => {
    const stream = apiFunctions(s).filter(([id]) => id.startsWith("StreamApi"));
    expect(stream).toHaveLength(1);
    const props = stream[0]![1].Properties as { Timeout: number; VpcConfig?: unknown; Environment: { Variables: Record<string, unknown> } };
    expect(props.Timeout).toBe(300);
    expect(props.VpcConfig).toBeDefined();
    expect(Object.keys(props.Environment.Variables).sort()).toEqual(Object.keys(apiFunction(s).Environment.Variables).sort());
    s.template("Api").hasResourceProperties("AWS::Lambda::Url", { InvokeMode: "RESPONSE_STREAM", AuthType: "NONE" });
    // The web app's proxy knows the address, and its own server function streams to CloudFront too.
    const web = JSON.stringify(s.template("Web").toJSON());
    expect(web).toContain("TANDEM_STREAM_URL");
    s.template("Web").hasResourceProperties("AWS::Lambda::Url", { InvokeMode: "RESPONSE_STREAM" });
  });

  it("queues jobs (mails, reading knowledge files) in SQS for a consumer that reports failed items, with a dead-letter queue", () => {
    const api = s.template("Api");
    api.hasResourceProperties("AWS::SQS::Queue", { RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() } });
    api.hasResourceProperties("AWS::Lambda::EventSourceMapping", { FunctionResponseTypes: ["ReportBatchItemFailures"], BatchSize: 1 });
    // The consumer: the stage's secrets (to reach the database and mail), and no queue of its own to fill.
    const consumers = Object.values(resources(s, "Api", "AWS::Lambda::Function")).filter((f) => {
      const env = JSON.stringify(f.Properties?.Environment ?? {});
      // (The events queue's consumer is the other function without a queue to fill; it has the bus.)
      return env.includes("SST_Secret_value_MONGODB_URI") && !env.includes("JOBS_QUEUE_URL") && !env.includes("EVENT_BUS_NAME");
    });
    expect(consumers).toHaveLength(1);
    // Reading a large knowledge file takes minutes: Lambda's longest timeout, 2 GB, and a visibility
    // six times the timeout so a message is not delivered again while it is being read.
    expect(consumers[0]!.Properties).toMatchObject({ Timeout: 900, MemorySize: 2048 });
    api.hasResourceProperties("AWS::SQS::Queue", { VisibilityTimeout: 5400, RedrivePolicy: Match.anyValue() });
    expect(apiFunction(s).Environment.Variables.JOBS_QUEUE_URL).toBeDefined();
    // Production keeps its dead letters when the stage is removed.
    expect(Object.values(resources(s, "Api", "AWS::SQS::Queue")).some((q) => q.DeletionPolicy === "Retain")).toBe(true);
  });

  it("declares the control plane's event bus, routes both planes' events by a rule to a queue with a consumer and a dead-letter queue, and lets the API publish", () => {
    controlPlaneEvents(s);
  });

  it("shares one proxy key between the web app's proxy and the API", () => {
    const key = apiFunction(s).Environment.Variables.TANDEM_PROXY_KEY as string;
    expect(key).toMatch(/^[\w-]{40,}$/);
    expect(JSON.stringify(s.template("Web").toJSON())).toContain(key);
  });

  it("keeps five server instances warm when ENABLE_WARMING is true", () => {
    expect(warmParams(s)).toContain('\\"concurrency\\":5');
  });
});

describe("email", () => {
  let s: Synthesized;
  beforeAll(async () => {
    s = await synthesize("pr7", {});
  });

  it("gives each stage a configuration set that suppresses bounces and complaints", () => {
    s.template("Email").hasResourceProperties("AWS::SES::ConfigurationSet", {
      SuppressionOptions: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
    });
  });

  it("lets the API and its jobs call Bedrock (replies, embeddings, images, guardrails) and read what the account offers", () => {
    const policies = Object.values(resources(s, "Api", "AWS::IAM::Policy"));
    const grants = policies.map((p) => JSON.stringify((p.Properties?.PolicyDocument as { Statement: Array<{ Action: unknown }> }).Statement.filter((st) => JSON.stringify(st.Action).includes("bedrock:"))));
    const withBedrock = grants.filter((g) => g.includes("bedrock:InvokeModelWithResponseStream"));
    // The API, the jobs consumer and the events consumer.
    expect(withBedrock.length).toBeGreaterThanOrEqual(3);
    for (const g of withBedrock) for (const action of ["bedrock:InvokeModel", "bedrock:ApplyGuardrail", "bedrock:ListFoundationModels", "bedrock:ListInferenceProfiles", "bedrock:GetFoundationModelAvailability"]) expect(g).toContain(action);
    expect(JSON.stringify(s.template("Web").toJSON())).not.toContain("bedrock:");
  });

  it("lets the API send through SES with its configuration set, and nothing else does", () => {
    const sesGrants = JSON.stringify(
      [...Object.values(resources(s, "Api", "AWS::IAM::Policy")), ...Object.values(resources(s, "Api", "AWS::IAM::ManagedPolicy"))].flatMap((p) =>
        (p.Properties?.PolicyDocument as { Statement: Array<{ Action: unknown }> }).Statement.filter((st) => JSON.stringify(st.Action).includes("ses:SendEmail")),
      ),
    );
    expect(sesGrants).toContain("ses:SendRawEmail");
    expect(sesGrants).toContain(":identity/*");
    expect(sesGrants).toContain(":configuration-set/");
    expect(JSON.stringify(apiFunction(s).Environment.Variables.SES_CONFIGURATION_SET)).toContain("Fn::ImportValue");
    expect(JSON.stringify(s.template("Web").toJSON())).not.toContain("ses:SendEmail");
  });
});

describe("dev stage", () => {
  let s: Synthesized;
  beforeAll(async () => {
    s = await synthesize("dev", { SERVER_DOMAIN: "dev.example.com", HOSTED_ZONE: "example.com", ECR_CACHE_REPO: ECR });
  });

  it("has live updates: the WebSocket API, the fan-out with the ECR build cache, logs kept two weeks", () => {
    liveUpdates(s, { cache: ECR, logDays: 14 });
  });

  it("serves app.<SERVER_DOMAIN> from HOSTED_ZONE with a certificate AWS issues", () => {
    const web = s.template("Web");
    web.hasResourceProperties("AWS::Route53::RecordSet", { Name: "app.dev.example.com.", HostedZoneId: "Z0EXAMPLEPROD" });
    expect(JSON.stringify(web.toJSON())).toContain("CertificateRequestor");
  });

  it("lets the site's origin upload to and read from the knowledge bucket, and no other origin", () => {
    s.template("Storage").hasResourceProperties("AWS::S3::Bucket", {
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedMethods: ["POST", "GET"], AllowedOrigins: ["https://app.dev.example.com"] })] },
    });
  });

  it("has the control plane's bus, rule, consumer and dead letters", () => {
    controlPlaneEvents(s);
  });

  it("creates a VPC with a single NAT gateway", () => {
    s.template("Network").resourceCountIs("AWS::EC2::VPC", 1);
    s.template("Network").resourceCountIs("AWS::EC2::NatGateway", 1);
  });

  it("creates three unversioned buckets that are emptied and deleted with the stage", () => {
    const buckets = resources(s, "Storage", "AWS::S3::Bucket");
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.DeletionPolicy).toBe("Delete");
      expect(bucket.Properties?.VersioningConfiguration).toBeUndefined();
    }
    s.template("Storage").resourceCountIs("Custom::S3AutoDeleteObjects", 3);
  });

  it("does not warm the site or the API when ENABLE_WARMING is unset", () => {
    expect(warmParams(s)).toBe('"[]"');
    expect(apiWarming(s)).toEqual([]);
  });

  it("is monitored without database alarms (no DOCDB_CLUSTER_ID) or firewall (no WAF_RATE_LIMIT), logs kept two weeks", () => {
    monitoring(s, { logDays: 14 });
    expect(firewall(s)).toEqual([]);
  });
});

describe("pull-request stage", () => {
  let s: Synthesized;
  beforeAll(async () => {
    s = await synthesize("pr123", { SERVER_DOMAIN: "example.com", PREVIEW_DOMAIN: "preview.example.com", HOSTED_ZONE: "example.com" });
  });

  it("has live updates without a build cache when ECR_CACHE_REPO is unset", () => {
    liveUpdates(s, { cache: undefined, logDays: 14 });
  });

  it("is monitored like every stage, logs kept two weeks, and runs the data migrations", () => {
    monitoring(s, { logDays: 14 });
    migrations(s);
  });

  it("has no firewall and warms nothing when WAF_RATE_LIMIT and ENABLE_WARMING are unset", () => {
    expect(firewall(s)).toEqual([]);
    expect(apiWarming(s)).toEqual([]);
    expect(warmParams(s)).toBe('"[]"');
  });

  it("has the control plane's bus, rule, consumer and dead letters, removed with the stage", () => {
    controlPlaneEvents(s);
    for (const queue of Object.values(resources(s, "Api", "AWS::SQS::Queue"))) expect(queue.DeletionPolicy).toBe("Delete");
  });

  it("points the links in mails at the PR's own site", () => {
    expect(apiFunction(s).Environment.Variables.APP_URL).toBe("https://app.pr123.preview.example.com");
  });

  it("serves the site at app.pr123.<PREVIEW_DOMAIN>", () => {
    s.template("Web").hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({ Aliases: ["app.pr123.preview.example.com"] }),
    });
    s.template("Web").hasResourceProperties("AWS::Route53::RecordSet", { Name: "app.pr123.preview.example.com.", HostedZoneId: "Z0EXAMPLEPROD" });
  });

  it("removes everything with the stage", () => {
    for (const bucket of Object.values(resources(s, "Storage", "AWS::S3::Bucket"))) expect(bucket.DeletionPolicy).toBe("Delete");
    for (const stack of ["Api", "Live", "Monitoring", "Jobs"] as const) {
      const retained = Object.entries(s.template(stack).toJSON().Resources as Record<string, { DeletionPolicy?: string }>).filter(([, r]) => r.DeletionPolicy === "Retain");
      expect(retained, stack).toEqual([]);
    }
  });
});

describe("where the stacks find the code they deploy", () => {
  it("uses the workspace's sources in this repository (a customer's installed packages use their dist)", () => {
    expect(apiHandler("lambda")).toBe("packages/api/src/lambda.handler");
    expect(apiHandler("jobs/queue")).toBe("packages/api/src/jobs/queue.handler");
    expect(fanOutBuildContext()).toEqual({ path: ".", file: "packages/api/fanout.Dockerfile" });
  });
});
