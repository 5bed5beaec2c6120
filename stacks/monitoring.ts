import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as cwActions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Function as SstFunction, use, type StackContext } from "sst/constructs";
import { apiHandler } from "./paths.js";
import { Api } from "./api.js";
import { Secrets } from "./config.js";
import { Email } from "./email.js";
import { Jobs } from "./jobs.js";
import { Live } from "./live.js";
import { stageSettings } from "./settings.js";
import { Web } from "./web.js";

const FIVE_MINUTES = Duration.minutes(5);

/** Alarm thresholds, in one place so the docs (docs/operations.md) and the tests can name them. */
export const THRESHOLDS = {
  /** Per cent of the API's requests answered with a 5xx, over 5 minutes with at least 20 requests. */
  api5xxRatePercent: 5,
  /** Failed invocations in 5 minutes of a function that serves requests; any failure of a job. */
  servingErrors: 5,
  jobErrors: 1,
  /** Per cent of the function's timeout its p95 duration may reach, three 5-minute periods running. */
  durationPercentOfTimeout: 80,
  /** DocumentDB: average CPU, three 5-minute periods running; connections (80 % of a db.t3.medium's 500). */
  databaseCpuPercent: 80,
  databaseConnections: 400,
} as const;

/** A function the stage watches: its errors, throttles and duration. */
interface Watched {
  readonly id: string;
  readonly label: string;
  readonly fn: lambda.IFunction;
  /** Serves people's requests (a few failures are noise) rather than running jobs (any failure matters). */
  readonly serving: boolean;
}

/** The function's timeout in seconds, as synthesized. */
function timeoutOf(fn: lambda.IFunction): number {
  const timeout = (fn.node.defaultChild as lambda.CfnFunction | undefined)?.timeout;
  return typeof timeout === "number" ? timeout : 3;
}

/**
 * Monitoring (seed 002 on serverless): alarms on the API's 5xx rate, each function's errors,
 * throttles and duration, the dead-letter queues, the fan-out service and, when DOCDB_CLUSTER_ID
 * names it, the DocumentDB cluster; every alarm and its recovery go to one SNS topic whose
 * subscriber mails SUPPORT_EMAIL through the stage's own mail settings. A CloudWatch dashboard
 * shows the same metrics. Reading it and acting on an alarm: docs/operations.md.
 */
export function Monitoring({ stack, app }: StackContext) {
  const settings = stageSettings(app);
  const { secrets } = use(Secrets);
  const { configurationSet, sendPolicy } = use(Email);
  const { api, stream, jobs, deadLetters, eventQueue, eventDeadLetters } = use(Api);
  const { housekeeping, billing } = use(Jobs);
  const { api: liveApi, fanOut } = use(Live);
  const { site } = use(Web);

  // A subscriber function rather than an e-mail subscription: SUPPORT_EMAIL is a secret (SSM),
  // which CloudFormation cannot place in a subscription, and SNS e-mail needs a confirmation
  // click that is easy to miss. It needs only the mail settings, so it mails when the rest broke.
  const topic = new sns.Topic(stack, "Alarms", { displayName: `Tandem ${settings.app} ${app.stage} alarms` });
  const mailer = new SstFunction(stack, "AlarmMailer", {
    handler: apiHandler("jobs/alarm"),
    runtime: "nodejs20.x",
    timeout: 60,
    memorySize: 256,
    bind: [...secrets],
    permissions: [sendPolicy],
    environment: { SEED_APP_NAME: settings.app, SES_CONFIGURATION_SET: configurationSet.configurationSetName, TANDEM_VERSION: process.env.TANDEM_VERSION ?? app.stage },
    nodejs: { format: "esm", sourcemap: true, minify: true },
  });
  topic.addSubscription(new subscriptions.LambdaSubscription(mailer));
  const notify = new cwActions.SnsAction(topic);

  const alarms: cloudwatch.Alarm[] = [];
  const alarm = (id: string, props: Omit<cloudwatch.AlarmProps, "alarmName" | "treatMissingData"> & { treatMissingData?: cloudwatch.TreatMissingData }) => {
    const created = new cloudwatch.Alarm(stack, id, {
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
      alarmName: `${settings.app}-${app.stage}-${id}`,
    });
    created.addAlarmAction(notify);
    created.addOkAction(notify);
    alarms.push(created);
    return created;
  };

  // The API's 5xx rate: a share, not a count, so a busy hour does not alarm on noise.
  const http = api.cdk.httpApi;
  const requests = http.metricCount({ period: FIVE_MINUTES, statistic: "Sum" });
  const serverErrors = http.metricServerError({ period: FIVE_MINUTES, statistic: "Sum" });
  const clientErrors = http.metricClientError({ period: FIVE_MINUTES, statistic: "Sum" });
  const errorRate = new cloudwatch.MathExpression({
    expression: "IF(requests >= 20, 100 * errors / requests, 0)",
    usingMetrics: { requests, errors: serverErrors },
    period: FIVE_MINUTES,
    label: "API 5xx rate (%)",
  });
  alarm("Api5xxRate", {
    metric: errorRate,
    threshold: THRESHOLDS.api5xxRatePercent,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    alarmDescription: `More than ${THRESHOLDS.api5xxRatePercent}% of the API's requests failed with a 5xx in 5 minutes. Open the stage's dashboard, then the Api function's logs (filter on "level":50) for the failing requests.`,
  });

  const watched: Watched[] = [
    { id: "Api", label: "API", fn: api.getFunction("$default")!, serving: true },
    { id: "StreamApi", label: "streamed replies", fn: stream, serving: true },
    { id: "LiveRoutes", label: "live updates (WebSocket routes)", fn: liveApi.getFunction("$connect")!, serving: true },
    { id: "JobsConsumer", label: "jobs queue consumer (mails, knowledge files)", fn: jobs.consumerFunction!, serving: false },
    { id: "EventsConsumer", label: "control-plane events consumer", fn: eventQueue.consumerFunction!, serving: false },
    { id: "Housekeeping", label: "hourly housekeeping", fn: housekeeping.jobFunction, serving: false },
    { id: "Billing", label: "billing job", fn: billing.jobFunction, serving: false },
    ...(site.cdk?.function ? [{ id: "WebServer", label: "web app server", fn: site.cdk.function, serving: true }] : []),
  ];
  for (const w of watched) {
    const errors = w.serving ? THRESHOLDS.servingErrors : THRESHOLDS.jobErrors;
    alarm(`${w.id}Errors`, {
      metric: w.fn.metricErrors({ period: FIVE_MINUTES, statistic: "Sum" }),
      threshold: errors,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `The ${w.label} function failed ${errors === 1 ? "at least once" : `${errors} times or more`} in 5 minutes. Its logs in CloudWatch Logs say why.`,
    });
    alarm(`${w.id}Throttles`, {
      metric: w.fn.metricThrottles({ period: FIVE_MINUTES, statistic: "Sum" }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `Lambda refused to run the ${w.label} function (throttled): the account's concurrency is used up. Raise Lambda's "Concurrent executions" quota (docs/onboarding.md) or find what runs so much.`,
    });
    const timeoutMs = timeoutOf(w.fn) * 1000;
    const limit = Math.round((timeoutMs * THRESHOLDS.durationPercentOfTimeout) / 100);
    alarm(`${w.id}Duration`, {
      metric: w.fn.metricDuration({ period: FIVE_MINUTES, statistic: "p95" }),
      threshold: limit,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      alarmDescription: `The ${w.label} function's p95 duration has been above ${THRESHOLDS.durationPercentOfTimeout}% of its ${timeoutMs / 1000} s timeout for 15 minutes: it is close to being cut off. A slow database or Bedrock is the usual cause.`,
    });
  }

  const queues: Array<{ id: string; label: string; queue: sqs.IQueue }> = [
    { id: "JobsDeadLetters", label: "jobs (mails, knowledge files)", queue: deadLetters },
    { id: "EventsDeadLetters", label: "control-plane events", queue: eventDeadLetters },
  ];
  for (const q of queues) {
    alarm(`${q.id}Depth`, {
      metric: q.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: "Maximum" }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `A message of the ${q.label} queue failed five times and is in its dead-letter queue. Read it, fix the cause, then replay it (docs/operations.md, "Replaying a dead-letter queue").`,
    });
  }

  const fanOutService = fanOut.cdk?.fargateService;
  if (fanOutService) {
    alarm("FanOutCpu", {
      metric: fanOutService.metricCpuUtilization({ period: FIVE_MINUTES }),
      threshold: 80,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      alarmDescription: "The live-updates fan-out has used more than 80% of its CPU for 15 minutes: updates may arrive late. Give its task more CPU in stacks/live.ts.",
    });
  }

  const database = settings.documentDbCluster
    ? {
        cpu: new cloudwatch.Metric({ namespace: "AWS/DocDB", metricName: "CPUUtilization", dimensionsMap: { DBClusterIdentifier: settings.documentDbCluster }, period: FIVE_MINUTES, statistic: "Average" }),
        connections: new cloudwatch.Metric({ namespace: "AWS/DocDB", metricName: "DatabaseConnections", dimensionsMap: { DBClusterIdentifier: settings.documentDbCluster }, period: FIVE_MINUTES, statistic: "Maximum" }),
      }
    : undefined;
  if (database) {
    alarm("DatabaseCpu", {
      metric: database.cpu,
      threshold: THRESHOLDS.databaseCpuPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      alarmDescription: `DocumentDB cluster ${settings.documentDbCluster} has used more than ${THRESHOLDS.databaseCpuPercent}% CPU for 15 minutes. Scale its instances up, or find the slow queries in its profiler.`,
    });
    alarm("DatabaseConnections", {
      metric: database.connections,
      threshold: THRESHOLDS.databaseConnections,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      alarmDescription: `DocumentDB cluster ${settings.documentDbCluster} holds more than ${THRESHOLDS.databaseConnections} connections (a db.t3.medium allows 500). Lambda instances each keep a pool: scale the instances up, or lower MONGODB_MAX_POOL_SIZE.`,
    });
  }

  // The dashboard: what the alarms watch, a row per concern, and the alarms' states on top.
  const graph = (title: string, left: cloudwatch.IMetric[], width = 12) => new cloudwatch.GraphWidget({ title, left, width, height: 6 });
  const perFunction = (title: string, metric: (fn: lambda.IFunction) => cloudwatch.Metric) => graph(title, watched.map((w) => metric(w.fn).with({ label: w.label })));
  const dashboard = new cloudwatch.Dashboard(stack, "Dashboard", {
    dashboardName: `${settings.app}-${app.stage}`.replace(/[^A-Za-z0-9_-]/g, "-"),
    widgets: [
      [new cloudwatch.AlarmStatusWidget({ title: "Alarms", alarms, width: 24, height: 4 })],
      [
        graph("API requests and errors (5 min)", [requests.with({ label: "requests" }), clientErrors.with({ label: "4xx" }), serverErrors.with({ label: "5xx" })]),
        graph("API latency (ms)", [http.metricLatency({ period: FIVE_MINUTES, statistic: "p50" }).with({ label: "p50" }), http.metricLatency({ period: FIVE_MINUTES, statistic: "p95" }).with({ label: "p95" })]),
      ],
      [perFunction("Function errors", (fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: "Sum" })), perFunction("Function p95 duration (ms)", (fn) => fn.metricDuration({ period: FIVE_MINUTES, statistic: "p95" }))],
      [
        perFunction("Function throttles", (fn) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: "Sum" })),
        graph("Dead-letter queues (messages)", queues.map((q) => q.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: "Maximum" }).with({ label: q.label }))),
      ],
      [
        ...(fanOutService ? [graph("Live-updates fan-out (%)", [fanOutService.metricCpuUtilization({ period: FIVE_MINUTES }).with({ label: "CPU" }), fanOutService.metricMemoryUtilization({ period: FIVE_MINUTES }).with({ label: "memory" })])] : []),
        ...(database ? [graph(`DocumentDB ${settings.documentDbCluster}`, [database.cpu.with({ label: "CPU (%)" }), database.connections.with({ label: "connections" })])] : []),
      ],
    ],
  });
  stack.addOutputs({ AlarmTopicArn: topic.topicArn, DashboardName: dashboard.dashboardName });
  return { topic, mailer, alarms, dashboard };
}
