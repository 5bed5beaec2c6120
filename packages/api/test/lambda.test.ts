import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
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
    process.env.SST_STAGE = "dev";
    process.env.SST_SSM_PREFIX = `/sst/${APP}/dev/`;
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
  });
});

describe("the housekeeping job", () => {
  it("reads the stage's secrets from SSM and purges expired documents", async () => {
    process.env.SST_STAGE = "dev";
    process.env.SST_SSM_PREFIX = `/sst/${APP}/dev/`;
    await setSecret("dev", "MONGODB_URI", `${inject("mongodbUri")}/lambda-%stage%`);
    const { handler } = await import("../src/jobs/housekeeping.js");
    const removed = await handler();
    expect(Object.keys(removed)).toEqual(expect.arrayContaining(["login_failures", "refresh_tokens", "one_time_tokens", "invites", "api_keys"]));
  });
});
