import type { IncomingMessage } from "node:http";
import { pinoHttp } from "pino-http";
import type { Logger } from "../logger.js";
import { requestId } from "./request-id.js";

/**
 * The path of a request URL without its query string: a reset token, an OAuth `code` or `state`
 * may arrive there, and none may reach the log.
 */
export function loggablePath(url: string | undefined): string {
  if (!url) return "";
  const q = url.indexOf("?");
  return q === -1 ? url : `${url.slice(0, q)}?[redacted]`;
}

type LoggedRequest = { method?: string; url?: string; headers?: Record<string, unknown>; remoteAddress?: string; remotePort?: number; id?: unknown };

/**
 * The request headers a log line keeps: an allow-list, because any other header may carry a
 * secret (a Referer with a reset token in its query, the proxy key, the anti-forgery token).
 */
const LOGGED_HEADERS = ["host", "user-agent", "content-type", "content-length", "accept", "origin", "x-request-id"];

function loggableHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const name of LOGGED_HEADERS) if (headers?.[name] !== undefined) kept[name] = headers[name];
  return kept;
}

/** One line per request (method, path, status, time), with request ids and no query strings. */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: requestId,
    // Health probes arrive every few seconds; only their failures are worth a line.
    autoLogging: { ignore: (req: IncomingMessage) => req.url === "/api/health" },
    serializers: {
      // pino-http's default also logs `query` and `params`; only what cannot hold a secret is kept.
      req: (req: LoggedRequest) => ({ id: req.id, method: req.method, url: loggablePath(req.url), headers: loggableHeaders(req.headers), remoteAddress: req.remoteAddress }),
    },
    customSuccessMessage: (req, res, responseTime) => `${req.method} ${loggablePath(req.url)} ${res.statusCode} in ${Math.round(responseTime)} ms`,
    customErrorMessage: (req, res, error) => `${req.method} ${loggablePath(req.url)} ${res.statusCode}: ${error.message}`,
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "info"),
  });
}
