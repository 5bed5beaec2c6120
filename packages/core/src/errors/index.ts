import type { z } from "zod";

/**
 * Tandem's domain errors. Core code throws these; the API maps `kind` to an HTTP status in one
 * place (packages/api/src/http/problem.ts). Every message tells the user what to do next.
 */
export type ErrorKind =
  | "invalid_input"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "rate_limited"
  | "unavailable"
  | "misconfigured"
  | "internal";

export interface ErrorIssue {
  /** Field, setting or path the issue is about. */
  readonly name: string;
  readonly message: string;
}

export class DomainError extends Error {
  override readonly name: string = "DomainError";
  constructor(
    /** Dotted, stable code for clients, e.g. `config.missing_secret`. */
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly issues: readonly ErrorIssue[] = [],
    options?: { cause?: unknown; userMessage?: string },
  ) {
    super(message, options);
    this.userMessage = options?.userMessage;
  }
  /** What the person using the product should read, when `message` is meant for the operator. */
  readonly userMessage?: string;
}

export class InvalidInputError extends DomainError {
  override readonly name = "InvalidInputError";
  constructor(message: string, issues: readonly ErrorIssue[] = [], code = "request.invalid") {
    super(code, "invalid_input", message, issues);
  }
}

export class NotFoundError extends DomainError {
  override readonly name = "NotFoundError";
  constructor(message: string, code = "resource.not_found") {
    super(code, "not_found", message);
  }
}

export class ConflictError extends DomainError {
  override readonly name = "ConflictError";
  constructor(message: string, code = "resource.conflict") {
    super(code, "conflict", message);
  }
}

export class UnavailableError extends DomainError {
  override readonly name = "UnavailableError";
  constructor(message: string, code = "service.unavailable", options?: { cause?: unknown }) {
    super(code, "unavailable", message, [], options);
  }
}

export class UnauthenticatedError extends DomainError {
  override readonly name = "UnauthenticatedError";
  constructor(message: string, code = "auth.unauthenticated") {
    super(code, "unauthenticated", message);
  }
}

export class ForbiddenError extends DomainError {
  override readonly name = "ForbiddenError";
  constructor(message: string, code = "auth.forbidden") {
    super(code, "forbidden", message);
  }
}

/** Too many attempts; `retryAfterSeconds` becomes the Retry-After header. */
export class RateLimitedError extends DomainError {
  override readonly name = "RateLimitedError";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    code = "rate_limited",
  ) {
    super(code, "rate_limited", message);
  }
}

/** A stage setting or secret is missing or malformed; the issues name each one and how to fix it. */
export class ConfigError extends DomainError {
  override readonly name = "ConfigError";
  constructor(message: string, issues: readonly ErrorIssue[]) {
    super("config.invalid", "misconfigured", message, issues);
  }
}

/** Parses input at a domain entry point; anything else is an InvalidInputError naming each field. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidInputError(`The ${what} are not valid.`, result.error.issues.map((i) => ({ name: i.path.join("."), message: i.message })));
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
