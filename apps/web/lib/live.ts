"use client";

import type { LiveEvent } from "@tandem/client/contract";
import { LiveClient, type LiveStatus, type WebSocketLike } from "@tandem/client/live";
import { useEffect, useRef } from "react";
import { api, ApiProblem } from "./browser-api";

interface Listener {
  readonly notebooks: readonly string[];
  readonly list: boolean;
  onEvent(event: LiveEvent): void;
  onResync?(): void;
}

/**
 * One WebSocket per organisation for the whole tab, shared by the views that follow something
 * (the sidebar's list, an open notebook): it follows the union of what they follow, and hands each
 * event to each of them once. It closes a few seconds after the last view goes (a page change
 * keeps it).
 */
class Hub {
  private readonly listeners = new Set<Listener>();
  private readonly client: LiveClient;
  private closing: ReturnType<typeof setTimeout> | undefined;
  private starting: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly orgId: string,
    private readonly onEmpty: () => void,
  ) {
    this.client = new LiveClient({
      ticket: async () => {
        try {
          return await api<{ url: string; ticket: string }>(`/api/orgs/${encodeURIComponent(orgId)}/live/ticket`, { method: "POST", body: {} });
        } catch (error) {
          // 503: this server has no live updates; 401/404: signed out or no longer a member.
          if (error instanceof ApiProblem && [401, 403, 404, 503].includes(error.status)) throw Object.assign(new Error(error.message), { permanent: true });
          throw error;
        }
      },
      socket: (url) => new WebSocket(url) as unknown as WebSocketLike,
      onEvent: (event) => {
        for (const l of [...this.listeners]) if (l.list || l.notebooks.includes(event.notebookId)) l.onEvent(event);
      },
      onResync: () => {
        for (const l of [...this.listeners]) l.onResync?.();
      },
      onStatus: (status: LiveStatus) => {
        document.documentElement.dataset.live = status;
      },
    });
    // Connected in a task of its own, not in the one that brings the page to life (a phone's longest).
    this.starting = setTimeout(() => {
      this.starting = undefined;
      this.client.start();
    }, 0);
  }

  add(listener: Listener) {
    clearTimeout(this.closing);
    this.listeners.add(listener);
    this.follow();
  }

  remove(listener: Listener) {
    this.listeners.delete(listener);
    this.follow();
    if (!this.listeners.size) {
      this.closing = setTimeout(() => {
        if (this.listeners.size) return;
        clearTimeout(this.starting);
        this.client.stop();
        this.onEmpty();
      }, 5_000);
    }
  }

  private follow() {
    const notebooks = [...new Set([...this.listeners].flatMap((l) => l.notebooks))].slice(0, 20);
    this.client.follow(notebooks, [...this.listeners].some((l) => l.list));
  }
}

const hubs = new Map<string, Hub>();

/**
 * Live updates for a view: `onEvent` hears each change to the followed notebooks (and to the list
 * with `list`), `onResync` asks the view to read its state again (after subscribing, and when a
 * disconnect was too long to replay). Without live updates on the server, nothing happens.
 */
export function useLive(orgId: string | undefined, follow: { notebooks?: readonly string[]; list?: boolean }, handlers: { onEvent(event: LiveEvent): void; onResync?(): void }): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  const key = (follow.notebooks ?? []).join(",");
  const list = Boolean(follow.list);
  useEffect(() => {
    if (!orgId || typeof WebSocket === "undefined") return;
    let hub = hubs.get(orgId);
    if (!hub) {
      hub = new Hub(orgId, () => hubs.delete(orgId));
      hubs.set(orgId, hub);
    }
    const listener: Listener = {
      notebooks: key ? key.split(",") : [],
      list,
      onEvent: (e) => latest.current.onEvent(e),
      onResync: () => latest.current.onResync?.(),
    };
    hub.add(listener);
    return () => hub.remove(listener);
  }, [orgId, key, list]);
}
