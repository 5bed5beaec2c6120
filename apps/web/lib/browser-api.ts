"use client";

import { Problem } from "@tandem/client/contract";

/** A refusal of the API, with the problem's message for the person and its per-field issues. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ReadonlyArray<{ name: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** The anti-forgery token the API set in its readable cookie; writes send it as X-CSRF-Token. */
export function csrfToken(): string {
  const match = /(?:^|;\s*)tandem_csrf=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]!) : "";
}

/**
 * Calls the API through the site's own /api (cookies travel by themselves). Writes carry the
 * anti-forgery token read from its cookie.
 */
export async function api<T = unknown>(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const method = init.method ?? (init.body === undefined ? "GET" : "POST");
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers: {
        accept: "application/json",
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        ...(method === "GET" ? {} : { "x-csrf-token": csrfToken() }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw unreachable();
  }
  if (response.status === 204) return undefined as T;
  if (response.ok) return (await response.json().catch(() => undefined)) as T;
  // The site's proxy answers 502 api.unreachable when the API itself is down.
  if (response.status === 502 || response.status === 504) throw unreachable();
  throw await problemFrom(response);
}

/**
 * What to tell the person about a failure: the reason of each refused field, written for people
 * ("Files may be at most 25 MB."), rather than the summary for API clients ("The request body is
 * not valid: ..."); never a raw "Error: ...".
 */
export function describeError(error: unknown): string {
  if (error instanceof ApiProblem && error.issues.length > 0) {
    const reasons = [...new Set(error.issues.map((i) => i.message.trim().replace(/([^.!?])$/, "$1.")))];
    return reasons.join(" ");
  }
  if (error instanceof TypeError) return "The connection failed. Check your network and try again.";
  return error instanceof Error ? error.message : String(error);
}

export const unreachable = () => new ApiProblem(0, "network", "Tandem's server cannot be reached right now. Check your connection, or try again in a moment.");

/** The ApiProblem of a refused response (its problem details, or its status). */
export async function problemFrom(response: Response): Promise<ApiProblem> {
  const problem = Problem.safeParse(await response.json().catch(() => undefined));
  return problem.success
    ? new ApiProblem(response.status, problem.data.code, problem.data.detail, problem.data.issues ?? [])
    : new ApiProblem(response.status, "unknown", `Tandem answered ${response.status}. Try again in a moment.`);
}
