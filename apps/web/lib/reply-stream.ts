"use client";

import { ApiProblem, csrfToken, problemFrom, unreachable } from "./browser-api";

/** The events of a streamed reply (see the API's notebooks routes): start, delta..., done | error, then title. */
export interface ReplyStreamHandlers {
  onEvent(event: string, data: unknown): void;
}

/**
 * Sends a request whose answer is a text/event-stream (a new message, a regenerated reply, an
 * edited question sent again) and reads it event by event. Aborting the signal closes the
 * connection, which stops the model on the server. A refusal before the stream is an ApiProblem.
 */
export async function streamRequest(method: "POST" | "PATCH", path: string, body: unknown, signal: AbortSignal, handlers: ReplyStreamHandlers): Promise<void> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "text/event-stream", "x-csrf-token": csrfToken() },
      body: JSON.stringify(body ?? {}),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw unreachable();
  }
  if (!response.headers.get("content-type")?.startsWith("text/event-stream")) {
    if (response.status === 502 || response.status === 504) throw unreachable();
    throw await problemFrom(response);
  }
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ApiProblem(0, "network", "The connection dropped while the reply was streaming. Reload the page to see what was saved, then send again if needed.");
    }
    const { value, done } = chunk;
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
