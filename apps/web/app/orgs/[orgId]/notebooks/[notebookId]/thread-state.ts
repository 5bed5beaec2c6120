import type { NotebookMessage } from "@tandem/client/contract";
import type { Shown } from "./message-item";

/**
 * How the thread changes, as small pure functions of the list of messages: the page's stream
 * handlers use them, and so can live updates (another tab, a collaborator) later.
 */

/**
 * A reply started: its question and the (empty, streaming) reply go at the end. A regenerated
 * reply keeps its question and drops what came after it; an edited question (`replacing`)
 * replaces that question and everything after it.
 */
export function startExchange(list: Shown[], user: NotebookMessage, assistant: NotebookMessage, replacing?: string): Shown[] {
  const same = list.findIndex((m) => m.id === user.id);
  const cut = same >= 0 ? same : replacing ? list.findIndex((m) => m.id === replacing) : -1;
  const before = cut >= 0 ? list.slice(0, cut) : list;
  return [...before, user, { ...assistant, streaming: true }];
}

/** More words of a streaming reply. */
export function appendDelta(list: Shown[], id: string, text: string): Shown[] {
  return list.map((m) => (m.id === id ? { ...m, content: m.content + text } : m));
}

/** A message as the server now has it (a finished reply, an update from elsewhere); added at the end when new. */
export function putMessage(list: Shown[], message: NotebookMessage): Shown[] {
  return list.some((m) => m.id === message.id) ? list.map((m) => (m.id === message.id ? message : m)) : [...list, message];
}

/** A reply that ended without completing: failed with the reason, or stopped by its reader. */
export function endReply(list: Shown[], id: string, status: "failed" | "stopped", error?: string): Shown[] {
  return list.map((m) => (m.id === id ? { ...m, status, streaming: false, ...(error ? { error } : {}) } : m));
}

/** Messages deleted (a question goes with its reply: the API says which). */
export function removeMessages(list: Shown[], ids: readonly string[]): Shown[] {
  return list.filter((m) => !ids.includes(m.id));
}

/** What can be answered again: the newest reply, or the last question when its reply was deleted. */
export function latestReplyId(list: readonly Shown[]): string | undefined {
  return list.at(-1)?.id;
}

/** The last question sent: ArrowUp in an empty composer edits it. */
export function lastQuestionId(list: readonly Shown[]): string | undefined {
  return [...list].reverse().find((m) => m.role === "user")?.id;
}
