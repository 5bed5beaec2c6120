import { z } from "zod";

/**
 * What CloudWatch publishes to the monitoring stack's SNS topic when an alarm changes state
 * (the JSON in the SNS message). Only the fields the alarm mail uses are required.
 */
export const AlarmNotification = z.object({
  AlarmName: z.string().min(1).max(255),
  AlarmDescription: z.string().max(1024).nullish(),
  NewStateValue: z.enum(["ALARM", "OK", "INSUFFICIENT_DATA"]),
  OldStateValue: z.string().max(32).nullish(),
  NewStateReason: z.string().max(1024).nullish(),
  StateChangeTime: z.string().max(64).nullish(),
  AlarmArn: z.string().max(2048).nullish(),
  AWSAccountId: z.string().max(32).nullish(),
});
export type AlarmNotification = z.infer<typeof AlarmNotification>;

export interface AlarmSummary {
  readonly name: string;
  readonly state: AlarmNotification["NewStateValue"];
  readonly previousState?: string;
  readonly description?: string;
  readonly reason?: string;
  readonly changedAt?: string;
  /** The alarm in the CloudWatch console, when its ARN names the region. */
  readonly consoleUrl: string;
}

const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):\d{12}:alarm:(.+)$/;

/**
 * Reads an SNS message from the alarm topic. A message that is not a CloudWatch alarm (a test
 * publish, another service) is still summarised, from its subject, so that nothing sent to the
 * topic is dropped silently.
 */
export function summariseAlarm(message: string, subject?: string): AlarmSummary {
  let parsed: AlarmNotification | undefined;
  try {
    const result = AlarmNotification.safeParse(JSON.parse(message));
    if (result.success) parsed = result.data;
  } catch {
    parsed = undefined;
  }
  if (!parsed) {
    return {
      name: (subject ?? "").slice(0, 255) || "A message on the alarm topic",
      state: "ALARM",
      reason: message.slice(0, 1024),
      consoleUrl: "https://console.aws.amazon.com/cloudwatch/home#alarmsV2:",
    };
  }
  const arn = parsed.AlarmArn ? ALARM_ARN.exec(parsed.AlarmArn) : null;
  const region = arn?.[1];
  const consoleUrl = region
    ? `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(parsed.AlarmName)}`
    : "https://console.aws.amazon.com/cloudwatch/home#alarmsV2:";
  return {
    name: parsed.AlarmName,
    state: parsed.NewStateValue,
    previousState: parsed.OldStateValue ?? undefined,
    description: parsed.AlarmDescription ?? undefined,
    reason: parsed.NewStateReason ?? undefined,
    changedAt: parsed.StateChangeTime ?? undefined,
    consoleUrl,
  };
}

/**
 * What the warming rule (stacks/jobs.ts, ENABLE_WARMING) sends the API function every few minutes
 * instead of a request: the function starts (configuration, database connection) and answers at once.
 */
export const WARM_UP_EVENT = { tandemWarmUp: true } as const;

export function isWarmUp(event: unknown): boolean {
  return typeof event === "object" && event !== null && (event as Record<string, unknown>).tandemWarmUp === true;
}
