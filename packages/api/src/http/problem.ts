import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "@tandem/core/database";
import { isDomainError, RateLimitedError, UnavailableError, type ErrorKind } from "@tandem/core/errors";
import type { Problem } from "@tandem/client/contract";
import type { ErrorRequestHandler, RequestHandler } from "express";

/** The one place where domain errors become HTTP statuses. */
const STATUS: Record<ErrorKind, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  misconfigured: 500,
  internal: 500,
};

const TITLE: Record<number, string> = {
  400: "Bad request",
  401: "Sign-in required",
  403: "Not allowed",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict",
  413: "Payload too large",
  429: "Too many requests",
  500: "Internal error",
  503: "Service unavailable",
};

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `urn:tandem:problem:${code}`, title: TITLE[status] ?? "Error", status, detail, code, ...extra };
}

/** Errors that body-parser and Express raise themselves carry `status` and `type`. */
function fromHttpError(error: unknown): Problem | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  const { status, type } = error as { status: number; type?: string };
  if (type === "entity.parse.failed") return problem(400, "request.malformed_json", "The request body is not valid JSON. Send a JSON document with Content-Type: application/json.");
  if (type === "entity.too.large") return problem(413, "request.too_large", "The request body is too large. Send less data in one request.");
  if (status >= 400 && status < 500) return problem(status, "request.rejected", error instanceof Error ? error.message : "The request was rejected.");
  return undefined;
}

/** The driver's "no server answers", as the domain's "unavailable": a 503 a client may retry. */
function databaseAway(cause: unknown): UnavailableError {
  return new UnavailableError("The database is not answering right now. Try again in a few seconds.", "database.unavailable", { cause });
}

/** The problem body for any error; 5xx details are for operators and go only to the log. */
export function problemOf(error: unknown, base: { instance?: string; requestId: string }): Problem {
  if (!isDomainError(error) && isDatabaseUnavailable(error)) return problemOf(databaseAway(error), base);
  if (isDomainError(error)) {
    const status = STATUS[error.kind];
    return status >= 500 && error.kind !== "unavailable"
      ? problem(status, error.code, `Something went wrong on our side. Try again later; if it keeps happening, contact support with request id ${base.requestId}.`, base)
      : problem(status, error.code, error.userMessage ?? error.message, { ...base, ...(error.issues.length ? { issues: [...error.issues] } : {}) });
  }
  const body = fromHttpError(error) ?? problem(500, "internal", `Something went wrong on our side. Try again later; if it keeps happening, contact support with request id ${base.requestId}.`);
  return { ...base, ...body };
}

export const problemHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const body = problemOf(error, { instance: req.originalUrl, requestId: String(req.id ?? "") });
  if (error instanceof RateLimitedError) res.setHeader("Retry-After", String(error.retryAfterSeconds));
  if (body.status === 503 && body.code.startsWith("database.")) res.setHeader("Retry-After", String(DATABASE_RETRY_AFTER_SECONDS));
  if (body.status >= 500) req.log.error({ err: error }, "request failed");
  else req.log.info({ code: body.code }, "request refused");
  res.status(body.status).type("application/problem+json").json(body);
};

export const notFoundHandler: RequestHandler = (req, res) => {
  res
    .status(404)
    .type("application/problem+json")
    .json(problem(404, "route.not_found", `There is no ${req.method} ${req.path} in the Tandem API. See /api-docs for what there is.`, { instance: req.originalUrl, requestId: String(req.id ?? "") }));
};
