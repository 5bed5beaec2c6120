"use client";

import { Problem } from "@tandem/client/contract";
import { ApiProblem } from "./browser-api";

export interface StreamHandlers {
  onEvent(event: string, data: unknown): void;
}

function csrfToken(): string {
  const match = /(?:^|;\s*)tandem_csrf=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]!) : "";
}

/**
 * POSTs and reads a text/event-stream answer event by event. Aborting the signal closes the
 * connection, which stops the model on the server. A refusal before the stream is an ApiProblem.
 */
export async function postEventStream(path: string, body: unknown, signal: AbortSignal, handlers: StreamHandlers): Promise<void> {
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", accept: "text/event-stream", "x-csrf-token": csrfToken() },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.headers.get("content-type")?.startsWith("text/event-stream")) {
    const problem = Problem.safeParse(await response.json().catch(() => undefined));
    throw problem.success ? new ApiProblem(response.status, problem.data.code, problem.data.detail, problem.data.issues ?? []) : new ApiProblem(response.status, "unknown", `Tandem answered ${response.status}. Try again.`);
  }
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.+)$/m.exec(block)?.[1] ?? "message";
      const data = /^data: (.+)$/m.exec(block)?.[1];
      handlers.onEvent(event, data ? (JSON.parse(data) as unknown) : null);
    }
  }
}
