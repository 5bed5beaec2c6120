import type { Connection } from "mongoose";
import { runAsSystem } from "../tenancy/index.js";
import { deliverable, liveConnectionModel, type LiveAccess, type LiveConnectionDocument } from "./connections.js";
import { LIVE_OVERLAP_MS, LIVE_READ_LIMIT, liveEventsSince, toLiveEvent, type LiveEventDocument } from "./events.js";
import type { LiveGateway } from "./gateway.js";

export interface FanOutOptions {
  readonly connection: Connection;
  readonly gateway: LiveGateway;
  readonly access: LiveAccess;
  /** How often the log is read (ms). */
  readonly pollMs?: number;
  readonly onError?: (error: unknown) => void;
  readonly now?: () => Date;
}

export interface FanOutRound {
  readonly events: number;
  readonly sent: number;
  readonly gone: number;
}

/**
 * The subscriber fan-out: reads the live-update log every `pollMs`, and sends each new event to
 * the open connections of its organisation that follow it and may read it. Connections the
 * gateway reports gone are dropped. Runs as one long-lived process (a container on AWS, a process
 * in `pnpm dev`); two at once would send an event twice, which clients drop by its id.
 */
export class FanOut {
  private cursor: number;
  /** Ids handled inside the overlap window, with their time: the window is read again each round. */
  private readonly handled = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private round: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: FanOutOptions) {
    this.cursor = this.now().getTime();
  }

  private now() {
    return this.options.now?.() ?? new Date();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = () => {
      if (!this.running) return;
      this.round = this.tick()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          if (this.running) this.timer = setTimeout(loop, this.options.pollMs ?? 200);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.round.catch(() => undefined);
  }

  /** One round: new events out to their subscribers. */
  async tick(): Promise<FanOutRound> {
    const startedAt = this.now().getTime();
    // Events first, then connections: a subscription stored before this read of the log is seen.
    const read = await liveEventsSince(this.options.connection, new Date(this.cursor - LIVE_OVERLAP_MS));
    const events = read.filter((e) => !this.handled.has(String(e._id)));
    for (const e of events) this.handled.set(String(e._id), e.at.getTime());
    // A full read may have left newer events unread: the next round goes on from the last one read.
    this.cursor = read.length >= LIVE_READ_LIMIT ? read[read.length - 1]!.at.getTime() + LIVE_OVERLAP_MS : startedAt;
    for (const [id, at] of this.handled) if (at < startedAt - 2 * LIVE_OVERLAP_MS) this.handled.delete(id);
    if (!events.length) return { events: 0, sent: 0, gone: 0 };

    const tenants = [...new Set(events.map((e) => String(e.tenantId)))];
    const subscribers = await runAsSystem("live fan-out", () => liveConnectionModel(this.options.connection).find({ tenantId: { $in: tenants } }).lean<LiveConnectionDocument[]>());
    const cache = new Map<string, Promise<boolean>>();
    let sent = 0;
    let gone = 0;
    await Promise.all(
      subscribers.map(async (sub) => {
        const mine: LiveEventDocument[] = await deliverable(this.options, sub, events, cache);
        for (const event of mine) {
          if (await this.options.gateway.send(sub._id, JSON.stringify(toLiveEvent(event)))) sent += 1;
          else {
            gone += 1;
            await runAsSystem("live fan-out", () => liveConnectionModel(this.options.connection).deleteOne({ _id: sub._id }));
            return;
          }
        }
      }),
    );
    return { events: events.length, sent, gone };
  }
}
