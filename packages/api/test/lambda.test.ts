import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { startMailCatcher } from "@tandem/local";
import { WARM_UP_EVENT } from "@tandem/core/monitoring";
import { closeConnection } from "@tandem/core/database";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { lambdaHttpEvent, TEST_SECRETS } from "./helpers.js";

// The deployed function reads its secrets from SSM, where `pnpm sst secrets set` writes them;
// here that SSM is moto's.
const APP = "tandem-lambda-test";

function event(path: string): APIGatewayProxyEventV2 {
  return lambdaHttpEvent({ path, headers: { "x-request-id": "lambda-1" } }) as APIGatewayProxyEventV2;
}

/** The Lambda functions read the stage from SST_STAGE and their secrets under this prefix. */
function onStage(stage: string): void {
  process.env.SST_STAGE = stage;
  process.env.SST_SSM_PREFIX = `/sst/${APP}/${stage}/`;
}

async function setSecret(stage: string, name: string, value: string): Promise<void> {
  const ssm = new SSMClient({});
  await ssm.send(new PutParameterCommand({ Name: `/sst/${APP}/${stage}/Secret/${name}/value`, Value: value, Type: "SecureString", Overwrite: true }));
}

beforeAll(async () => {
  Object.assign(process.env, inject("awsEnv"), { SST_APP: APP, TANDEM_VERSION: "9.9.9", LOG_LEVEL: "silent" });
  await setSecret("dev", "SESSION_SECRET", TEST_SECRETS.SESSION_SECRET);
  await setSecret("dev", "JWT_SECRET", TEST_SECRETS.JWT_SECRET);
});
afterAll(() => closeConnection());

describe("the Lambda entry point", () => {
  it("answers with a config problem while MONGODB_URI is not set, then serves once it is", async () => {
    onStage("dev");
    const { handler } = await import("../src/lambda.js");
    const context = {} as Context;

    const refused = (await handler(event("/api/health"), context)) as { statusCode: number; body: string };
    expect(refused.statusCode).toBe(500);
    expect(JSON.parse(refused.body)).toMatchObject({ code: "config.invalid", detail: expect.stringContaining("pnpm doctor") });

    await setSecret("dev", "MONGODB_URI", `${inject("mongodbUri")}/lambda-%stage%`);
    const served = (await handler(event("/api/health"), context)) as { statusCode: number; body: string; headers: Record<string, string> };
    expect(served.statusCode).toBe(200);
    const body = JSON.parse(served.body);
    expect(body).toMatchObject({ status: "ok", stage: "dev", version: "9.9.9" });
    expect(served.headers["x-request-id"]).toBe("lambda-1");

    // The warming rule's event (ENABLE_WARMING) starts the app without serving a request.
    expect(await handler(WARM_UP_EVENT as unknown as APIGatewayProxyEventV2, context)).toEqual({ warm: true });
  });
});

describe("the data migrations' deploy script", () => {
  it("reads the stage's secrets from SSM and runs (or finds recorded) every data migration", async () => {
    onStage("dev");
    await setSecret("dev", "MONGODB_URI", `${inject("mongodbUri")}/lambda-%stage%`);
    const { MIGRATIONS } = await import("@tandem/core/migrations");
    const { handler } = await import("../src/jobs/migrate.js");
    const first = await handler();
    expect([...first.applied, ...first.skipped].sort()).toEqual(MIGRATIONS.map((m) => m.id).sort());
    // The next deploy finds them all recorded.
    expect(await handler()).toEqual({ applied: [], skipped: MIGRATIONS.map((m) => m.id) });
  });
});

describe("the alarm mailer", () => {
  it("mails each alarm's change of state to SUPPORT_EMAIL with the stage's mail settings, even when the database is not configured", async () => {
    const catcher = await startMailCatcher();
    try {
      // A stage whose only secrets are the mail ones: no MONGODB_URI, no signing secrets.
      onStage("ops");
      for (const [name, value] of Object.entries({ SUPPORT_EMAIL: "oncall@acme.test", MAIL_FROM: "Tandem <alerts@acme.test>", MAIL_HOST: "127.0.0.1", MAIL_PORT: String(catcher.port), MAIL_USERNAME: "mailer", MAIL_PASSWORD: "pw" })) {
        await setSecret("ops", name, value);
      }
      const { handler } = await import("../src/jobs/alarm.js");
      const alarm = {
        AlarmName: "tandem-ops-Api-5xxRate",
        AlarmDescription: "More than 5% of the API's requests failed with a 5xx. Open the dashboard, then the API function's logs.",
        NewStateValue: "ALARM",
        OldStateValue: "OK",
        NewStateReason: "Threshold Crossed: 1 datapoint [12.5 (01/12/26 13:05:00)] was greater than the threshold (5.0).",
        StateChangeTime: "2026-12-01T13:10:00.000+0000",
        AlarmArn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:tandem-ops-Api-5xxRate",
      };
      const record = (message: string, subject: string | null) => ({ Sns: { Message: message, Subject: subject } });
      const event = { Records: [record(JSON.stringify(alarm), "ALARM: tandem-ops-Api-5xxRate"), record("not an alarm", "A test publish")] };
      expect(await handler(event as never)).toEqual({ mailed: 2 });

      const mail = await catcher.waitFor("oncall@acme.test");
      expect(mail.subject).toBe("Alarm on tandem (ops): tandem-ops-Api-5xxRate");
      expect(mail.text).toContain("More than 5% of the API's requests failed");
      expect(mail.text).toContain("Threshold Crossed");
      expect(mail.text).toContain("https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/tandem-ops-Api-5xxRate");
      const other = await catcher.waitFor("oncall@acme.test", 1);
      expect(other.subject).toBe("Alarm on tandem (ops): A test publish");
      expect(other.text).toContain("not an alarm");
    } finally {
      await catcher.close();
    }
  });
});

describe("the housekeeping job", () => {
  it("reads the stage's secrets from SSM and purges expired documents", async () => {
    onStage("dev");
    await setSecret("dev", "MONGODB_URI", `${inject("mongodbUri")}/lambda-%stage%`);
    const { handler } = await import("../src/jobs/housekeeping.js");
    const removed = await handler();
    expect(Object.keys(removed)).toEqual(expect.arrayContaining(["login_failures", "refresh_tokens", "one_time_tokens", "invites", "api_keys"]));
  });
});
