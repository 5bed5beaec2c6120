import { isDomainError } from "@tandem/core/errors";
import { isWarmUp } from "@tandem/core/monitoring";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import serverless from "serverless-http";
import { createApp } from "./app.js";
import { lambdaDeps } from "./lambda-deps.js";
import { problem } from "./http/problem.js";
import { createLogger } from "./logger.js";

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

// Built on the first invocation and kept while the instance is warm, with its DB connection.
let ready: Promise<Handler> | undefined;

async function init(): Promise<Handler> {
  return serverless(createApp(await lambdaDeps())) as Handler;
}

export async function handler(event: APIGatewayProxyEventV2, context: Context): Promise<unknown> {
  ready ??= init();
  try {
    const serve = await ready;
    // The warming rule (ENABLE_WARMING): started, connected, nothing to serve.
    if (isWarmUp(event)) return { warm: true };
    return await serve(event, context);
  } catch (error) {
    // Not cached: once the operator sets the missing secret, the next request starts cleanly.
    ready = undefined;
    const logger = createLogger({ stage: process.env.SST_STAGE ?? "unknown", level: process.env.LOG_LEVEL });
    logger.error({ err: error }, "the API could not start");
    const body =
      isDomainError(error) && error.kind === "misconfigured"
        ? problem(500, "config.invalid", "The API is not configured for this stage. The operator can see which setting is missing in the function's logs, or by running pnpm doctor.")
        : problem(503, "service.unavailable", "The API could not start. Try again in a moment.");
    return { statusCode: body.status, headers: { "content-type": "application/problem+json" }, body: JSON.stringify(body) };
  }
}
