"use client";

import { useCallback, useEffect, useState } from "react";
import { describeError } from "../../../lib/browser-api";
import { controlPlane, isMissingRoute, type AuditEntry, type AuditFilters } from "../../../lib/control-plane";

/** The audit log for some filters, a page at a time; "missing" when the API has no audit log yet. */
export function useAudit(filters: AuditFilters) {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [state, setState] = useState<"loading" | "ready" | "missing">("loading");
  const [error, setError] = useState<string | undefined>();
  const key = JSON.stringify(filters);

  const load = useCallback(
    async (startKey?: string) => {
      setState("loading");
      setError(undefined);
      try {
        const page = await controlPlane.audit(JSON.parse(key) as AuditFilters, startKey);
        setEntries((list) => (startKey ? [...list, ...page.data.filter((e) => !list.some((old) => old.id === e.id))] : page.data));
        setNext(page.next_start_key);
        setState("ready");
      } catch (e) {
        if (isMissingRoute(e)) setState("missing");
        else {
          setError(describeError(e));
          setState("ready");
        }
      }
    },
    [key],
  );
  useEffect(() => {
    setEntries([]);
    void load();
  }, [load]);
  return { entries, state, error, hasMore: next !== undefined, loadMore: () => void load(next) };
}

/** A day picked in the form (YYYY-MM-DD, the viewer's own time zone) as the instant it starts or ends. */
export function dayBound(value: string | undefined, end: boolean): string | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00`);
  if (end) {
    date.setDate(date.getDate() + 1);
    date.setMilliseconds(-1);
  }
  return date.toISOString();
}
