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

function csrfToken(): string {
  const match = /(?:^|;\s*)tandem_csrf=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]!) : "";
}

/**
 * Calls the API through the site's own /api (cookies travel by themselves). Writes carry the
 * anti-forgery token read from its cookie.
 */
export async function api<T = unknown>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
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
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiProblem(0, "network", "Tandem cannot be reached. Check your connection and try again.");
  }
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return body as T;
  const problem = Problem.safeParse(body);
  if (problem.success) throw new ApiProblem(response.status, problem.data.code, problem.data.detail, problem.data.issues ?? []);
  throw new ApiProblem(response.status, "unknown", `Tandem answered ${response.status}. Try again in a moment.`);
}
