"use client";

import { useCallback, useEffect, useState } from "react";
import { describeError } from "../../../lib/browser-api";
import { isMissingRoute } from "../../../lib/control-plane";

export type Loaded<T> = { status: "loading" } | { status: "ready"; value: T } | { status: "missing" } | { status: "error"; message: string };

/**
 * A read the page can show without: "missing" when this installation's API has no such route yet
 * (404 route.not_found), so the page says so instead of failing as a whole.
 */
export function useOptional<T>(read: () => Promise<T>, deps: unknown[]): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ status: "loading" });
  // The caller names what the read depends on, as for useCallback.
  const load = useCallback(read, deps);
  const reload = useCallback(() => {
    load().then(
      (value) => setState({ status: "ready", value }),
      (error: unknown) => setState(isMissingRoute(error) ? { status: "missing" } : { status: "error", message: describeError(error) }),
    );
  }, [load]);
  useEffect(reload, [reload]);
  return { ...state, reload };
}
