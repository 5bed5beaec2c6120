"use client";

import { useEffect, useRef } from "react";

/**
 * Calls `load` after the first render and whenever it changes, except the first time when the
 * server already rendered the page with that data (`served`; see lib/server-api). `load` must be
 * stable (a useCallback): a new function on each render would load on each render.
 */
export function useLoadUnlessServed(load: () => unknown, served: boolean): void {
  const skip = useRef(served);
  useEffect(() => {
    if (skip.current) skip.current = false;
    else void load();
  }, [load]);
}
