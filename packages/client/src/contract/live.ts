import { z } from "zod";
import { ObjectIdString } from "./text.js";

/**
 * Live updates: what the WebSocket connection carries. A change in a notebook is an event naming
 * what changed; the view then reads it through the API (so an event never carries more than its
 * receiver may already read). Events have an id and a time: after a disconnect the client
 * subscribes again `since` the newest event it saw, the server replays from a little before it,
 * and the client drops the ids it has seen: nothing is lost and nothing is applied twice.
 */
export const LIVE_KINDS = ["notebook.changed", "notebook.deleted", "messages.changed", "reply.started", "files.changed", "images.changed"] as const;
export const LiveKind = z.enum(LIVE_KINDS);
export type LiveKind = z.infer<typeof LiveKind>;

/** At most this many notebooks are followed by one connection (the open views of one tab). */
export const MAX_LIVE_NOTEBOOKS = 20;
/** Largest message a client may send (the subscribe message is far smaller). */
export const MAX_LIVE_MESSAGE_BYTES = 4_096;

export const LiveTicketResponse = z
  .object({
    url: z.string().describe("WebSocket address to connect to, with `?ticket=` appended by the client"),
    ticket: z.string().describe("Single-use ticket, valid for a minute, for this person in this organisation"),
    expiresAt: z.string().datetime(),
  })
  .strict();
export type LiveTicketResponse = z.infer<typeof LiveTicketResponse>;

export const LiveSubscribe = z
  .object({
    type: z.literal("subscribe"),
    notebooks: z.array(ObjectIdString).max(MAX_LIVE_NOTEBOOKS).default([]),
    /** Changes to the notebook list itself (created, renamed, deleted). */
    list: z.boolean().default(false),
    /** Time (ms since the epoch) of the newest event seen before a disconnect: what came after is replayed. */
    since: z.number().int().nonnegative().optional(),
  })
  .strict();
export const LivePing = z.object({ type: z.literal("ping") }).strict();
export const LiveClientMessage = z.discriminatedUnion("type", [LiveSubscribe, LivePing]);
export type LiveClientMessage = z.input<typeof LiveClientMessage>;

export const LiveEvent = z.object({
  type: z.literal("event"),
  id: z.string(),
  at: z.number(),
  kind: LiveKind,
  notebookId: z.string(),
  data: z.record(z.unknown()).optional(),
});
export type LiveEvent = z.infer<typeof LiveEvent>;

export const LiveServerMessage = z.discriminatedUnion("type", [
  LiveEvent,
  /** Subscribed; `at` is the server's time. Replayed events (if any) came before it. */
  z.object({ type: z.literal("ready"), at: z.number(), refused: z.array(z.string()) }),
  /** What was missed is older than the server keeps: reload everything. */
  z.object({ type: z.literal("reset") }),
  z.object({ type: z.literal("pong") }),
  z.object({ type: z.literal("error"), detail: z.string() }),
]);
export type LiveServerMessage = z.infer<typeof LiveServerMessage>;
