"use client";

import { useEffect, useState, type ReactNode } from "react";

/**
 * Renders its children once the page has started (in a task after the first render's), and
 * `fallback` until then. For what nobody uses in the page's first moments (a dialog's code, the
 * image gallery, the notices' layer): loading and mounting it in the task that brings the page to
 * life made that task, on a phone, a long one. Only this wrapper renders again when the time
 * comes, not the page around it.
 */
export function AfterStart({ children, fallback = null }: { children: ReactNode; fallback?: ReactNode }) {
  const [started, setStarted] = useState(false);
  useEffect(() => {
    // A task of its own. Not requestIdleCallback: while a phone's browser has not yet drawn the
    // page it has no idle time, and the callback waited for its timeout.
    const id = setTimeout(() => setStarted(true), 0);
    return () => clearTimeout(id);
  }, []);
  return <>{started ? children : fallback}</>;
}
