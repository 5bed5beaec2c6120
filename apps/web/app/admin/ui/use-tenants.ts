"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { describeError } from "../../../lib/browser-api";
import { controlPlane, type Tenant } from "../../../lib/control-plane";

/**
 * How often a tenant being provisioned is read again: the application plane answers within
 * seconds. (Offboarding takes its 30-day grace period: not followed.)
 */
const FOLLOW_MS = 2_000;

/**
 * The tenant list, a page at a time ("Load more" follows next_start_key). Tenants that an action
 * changed are replaced in place, and those being provisioned are read again until they settle.
 */
export function useTenants() {
  const [tenants, setTenants] = useState<Tenant[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>();

  const merge = useCallback((incoming: Tenant[], where: "end" | "start" = "end") => {
    setTenants((list) => {
      const byId = new Map(incoming.map((t) => [t.tenantId, t]));
      const updated = list.map((t) => byId.get(t.tenantId) ?? t);
      const fresh = incoming.filter((t) => !list.some((old) => old.tenantId === t.tenantId));
      return where === "start" ? [...fresh, ...updated] : [...updated, ...fresh];
    });
  }, []);

  const loadPage = useCallback(
    async (startKey?: string) => {
      setLoading(true);
      setError(undefined);
      try {
        const page = await controlPlane.tenants(startKey);
        merge(page.data);
        setNext(page.next_start_key);
      } catch (e) {
        setError(describeError(e));
      } finally {
        setLoading(false);
      }
    },
    [merge],
  );
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void loadPage();
  }, [loadPage]);

  const moving = tenants.filter((t) => t.status === "provisioning").map((t) => t.tenantId).join(",");
  useEffect(() => {
    if (!moving) return;
    const timer = setTimeout(() => {
      void Promise.all(moving.split(",").map((id) => controlPlane.tenant(id).catch(() => undefined))).then((read) => merge(read.filter((t): t is Tenant => t !== undefined)));
    }, FOLLOW_MS);
    return () => clearTimeout(timer);
  }, [moving, tenants, merge]);

  return {
    tenants,
    loading,
    error,
    hasMore: next !== undefined,
    loadMore: () => void loadPage(next),
    replace: (tenant: Tenant) => merge([tenant]),
    add: (tenant: Tenant) => merge([tenant], "start"),
  };
}
