"use client";

import { ApiProblem, csrfToken, problemFrom, unreachable } from "./browser-api";

export interface StreamHandlers {
  onEvent(event: string, data: unknown): void;
}

/**
 * POSTs and reads a text/event-stream answer event by event. Aborting the signal closes the
 * connection, which stops the model on the server. A refusal before the stream is an ApiProblem.
 */
export async function postEventStream(path: string, body: unknown, signal: AbortSignal, handlers: StreamHandlers): Promise<void> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "text/event-stream", "x-csrf-token": csrfToken() },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw unreachable();
  }
  if (!response.headers.get("content-type")?.startsWith("text/event-stream")) throw await problemFrom(response);
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
