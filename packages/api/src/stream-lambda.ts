import type { IncomingMessage, ServerResponse } from "node:http";
import type { Writable } from "node:stream";
import { ServerlessAdapter } from "@h4ad/serverless-adapter";
import { ApiGatewayV2Adapter } from "@h4ad/serverless-adapter/adapters/aws";
import { ExpressFramework } from "@h4ad/serverless-adapter/frameworks/express";
import { AwsStreamHandler } from "@h4ad/serverless-adapter/handlers/aws";
import { DummyResolver } from "@h4ad/serverless-adapter/resolvers/dummy";
import type { Express } from "express";
import { createApp } from "./app.js";
import { problem } from "./http/problem.js";
import { lambdaDeps } from "./lambda-deps.js";
import { createLogger } from "./logger.js";

/**
 * The same Express app on a Lambda function URL in RESPONSE_STREAM mode: a reply's
 * text/event-stream reaches the browser token by token (API Gateway's HTTP API would buffer it and
 * cut it at 30 s). The web app sends only the streaming routes here (TANDEM_STREAM_URL).
 */
let app: Promise<Express> | undefined;
// A Lambda instance serves one invocation at a time: this is the response being streamed.
let active: ServerResponse | undefined;

const express = new ExpressFramework();

/** Builds the app on first use; a failed start is answered as a problem and retried next time. */
const framework = {
  sendRequest(_unused: null, request: IncomingMessage, response: ServerResponse): void {
    active = response;
    app ??= lambdaDeps().then((deps) => createApp(deps));
    app.then(
      (ready) => express.sendRequest(ready, request, response),
      (error: unknown) => {
        app = undefined;
        createLogger({ stage: process.env.SST_STAGE ?? "unknown", level: process.env.LOG_LEVEL }).error({ err: error }, "the streaming API could not start");
        const body = problem(503, "service.unavailable", "The API could not start. Try again in a moment.");
        response.writeHead(body.status, { "content-type": "application/problem+json" });
        response.end(JSON.stringify(body));
      },
    );
  },
};

const adapted = ServerlessAdapter.new(null)
  .setFramework(framework)
  .setHandler(new AwsStreamHandler())
  .setResolver(new DummyResolver())
  .addAdapter(new ApiGatewayV2Adapter())
  .build() as unknown as (event: unknown, stream: Writable, context: unknown) => Promise<void>;

declare const awslambda: { streamifyResponse<T>(handler: T): T };

/**
 * The adapter does not tell Express when the function URL's client goes away; this does, so a
 * closed tab stops the model upstream here as it does on the local server.
 */
export const handler = awslambda.streamifyResponse(async (event: unknown, stream: Writable, context: unknown) => {
  const gone = () => {
    if (active && !active.writableEnded) active.emit("close");
  };
  stream.once("close", gone);
  stream.once("error", gone);
  try {
    await adapted(event, stream, context);
  } finally {
    stream.off("close", gone);
    stream.off("error", gone);
    active = undefined;
  }
});
