import { apiGatewayLiveGateway, closeLiveConnection, handleLiveMessage, openLiveConnection } from "@tandem/core/live";
import { isDomainError } from "@tandem/core/errors";
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import type { AppDeps } from "../deps.js";
import { lambdaDeps } from "../lambda-deps.js";
import { createLogger } from "../logger.js";
import { liveContext } from "./context.js";

/** The WebSocket API's routes as they reach Lambda; $connect also carries the query and headers. */
type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & { queryStringParameters?: Record<string, string | undefined>; headers?: Record<string, string | undefined> };

let ready: Promise<AppDeps> | undefined;

/**
 * $connect, $default and $disconnect of the live-updates WebSocket API (stacks/live.ts). The
 * ticket is in the query string: it is never logged (nor is the query string).
 */
export async function handler(event: WebSocketEvent): Promise<APIGatewayProxyResultV2> {
  const { routeKey, connectionId, domainName, stage } = event.requestContext;
  let deps: AppDeps;
  try {
    ready ??= lambdaDeps();
    deps = await ready;
  } catch (error) {
    ready = undefined;
    createLogger({ stage: process.env.SST_STAGE ?? "unknown", level: process.env.LOG_LEVEL }).error({ err: error }, "live updates could not start");
    return { statusCode: 503 };
  }
  const ctx = await liveContext(deps, apiGatewayLiveGateway(`https://${domainName}/${stage}`));
  try {
    if (routeKey === "$connect") {
      const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      await openLiveConnection(ctx, { connectionId, ticket: event.queryStringParameters?.ticket, origin: headers.origin });
    } else if (routeKey === "$disconnect") {
      await closeLiveConnection(ctx, connectionId);
    } else {
      await handleLiveMessage(ctx, connectionId, event.body ?? "");
    }
    return { statusCode: 200 };
  } catch (error) {
    if (isDomainError(error) && (error.kind === "unauthenticated" || error.kind === "forbidden")) {
      deps.logger.info({ route: routeKey, code: error.code }, "live connection refused");
      return { statusCode: error.kind === "forbidden" ? 403 : 401 };
    }
    deps.logger.error({ err: error, route: routeKey }, "live update route failed");
    return { statusCode: 500 };
  }
}
