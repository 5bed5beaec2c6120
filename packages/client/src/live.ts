import { LiveServerMessage, type LiveClientMessage, type LiveEvent } from "./contract/live.js";

/** What both the browser's WebSocket and the `ws` package offer. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type LiveStatus = "connecting" | "live" | "offline" | "stopped";

export interface LiveClientOptions {
  /** A fresh single-use ticket and the address to use it at (POST /api/orgs/{id}/live/ticket); an error with `permanent: true` stops trying. */
  ticket(): Promise<{ url: string; ticket: string }>;
  /** Opens a socket: `(url) => new WebSocket(url)` in a browser. */
  socket(url: string): WebSocketLike;
  /** Each event once, in the order received. */
  onEvent(event: LiveEvent): void;
  /**
   * The view should read its state again: after the first subscription (what changed between
   * loading the page and subscribing) and when the server no longer holds what was missed.
   */
  onResync?(): void;
  onStatus?(status: LiveStatus): void;
  /** Waits between reconnection attempts (ms); the last one repeats. */
  backoffMs?: readonly number[];
  /** A ping this often keeps an idle connection open (API Gateway closes idle ones after 10 minutes). */
  keepAliveMs?: number;
}

const SEEN_KEPT = 2_000;

/**
 * One live connection for one view: subscribes to notebooks and the notebook list, reconnects
 * with backoff after a disconnect (a new ticket each time), asks for what it missed since the
 * newest event it saw, and hands each event to the view exactly once (the server replays from a
 * little before, so the client drops the ids it has already seen).
 */
export class LiveClient {
  private ws: WebSocketLike | undefined;
  private stopped = false;
  private attempts = 0;
  private newest: number | undefined;
  private synced = false;
  private readonly seen = new Set<string>();
  private notebooks: string[] = [];
  private list = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: LiveClientOptions) {}

  /** Follows these notebooks (and the list); sends the new subscription at once when connected. */
  follow(notebooks: readonly string[], list: boolean): void {
    this.notebooks = [...new Set(notebooks)];
    this.list = list;
    if (this.ws?.readyState === 1) this.subscribe();
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.keepAlive);
    this.ws?.close(1000, "done");
    this.ws = undefined;
    this.options.onStatus?.("stopped");
  }

  /** Closes the connection as a network failure would; it reconnects as after one. */
  interrupt(): void {
    this.ws?.close(4000, "interrupted");
  }

  private status(status: LiveStatus) {
    this.options.onStatus?.(status);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.status("connecting");
    let url: string;
    try {
      const t = await this.options.ticket();
      url = `${t.url}${t.url.includes("?") ? "&" : "?"}ticket=${encodeURIComponent(t.ticket)}`;
    } catch (error) {
      // No live updates on this server (or no longer signed in): the view works without them.
      if ((error as { permanent?: boolean } | undefined)?.permanent) this.stop();
      else this.retry();
      return;
    }
    if (this.stopped) return;
    const ws = this.options.socket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempts = 0;
      this.subscribe();
      clearInterval(this.keepAlive);
      this.keepAlive = setInterval(() => this.send({ type: "ping" }), this.options.keepAliveMs ?? 240_000);
    };
    ws.onmessage = (event) => this.receive(event.data);
    ws.onerror = () => undefined;
    ws.onclose = () => {
      clearInterval(this.keepAlive);
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (!this.stopped) this.retry();
    };
  }

  private retry() {
    if (this.stopped) return;
    this.status("offline");
    const waits = this.options.backoffMs ?? [500, 1_000, 2_000, 4_000, 8_000, 10_000];
    const wait = waits[Math.min(this.attempts, waits.length - 1)]!;
    this.attempts += 1;
    // Up to a quarter more, so that many tabs do not come back in step.
    this.timer = setTimeout(() => void this.connect(), wait + Math.random() * wait * 0.25);
  }

  private send(message: LiveClientMessage) {
    if (this.ws?.readyState === 1) this.ws.send(JSON.stringify(message));
  }

  private subscribe() {
    this.send({ type: "subscribe", notebooks: this.notebooks, list: this.list, ...(this.newest !== undefined ? { since: this.newest } : {}) });
  }

  private receive(data: unknown) {
    let message: LiveServerMessage;
    try {
      message = LiveServerMessage.parse(JSON.parse(String(data)));
    } catch {
      return;
    }
    switch (message.type) {
      case "event": {
        if (this.seen.has(message.id)) return;
        this.seen.add(message.id);
        if (this.seen.size > SEEN_KEPT) this.seen.delete(this.seen.values().next().value as string);
        this.newest = Math.max(this.newest ?? 0, message.at);
        this.options.onEvent(message);
        return;
      }
      case "ready":
        // Nothing seen yet: from now on, the server's time is where a resume starts.
        this.newest ??= message.at;
        this.status("live");
        if (!this.synced) {
          this.synced = true;
          this.options.onResync?.();
        }
        return;
      case "reset":
        this.options.onResync?.();
        return;
      default:
        return;
    }
  }
}
