"use client";

import { useEffect, useState } from "react";
import { describeError } from "../../../lib/browser-api";
import { controlPlane, type Tenant } from "../../../lib/control-plane";

/** At most this many pages of 100: enough to choose from and to name the tenants of a report. */
const MAX_PAGES = 10;

/**
 * The tenants to choose from and to name in reports (GET /tenants?limit=100, page after page): a
 * report still shows a tenant's id where its name could not be read.
 */
export function useTenantNames() {
  const [tenants, setTenants] = useState<Array<Pick<Tenant, "tenantId" | "tenantName">>>([]);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    (async () => {
      let startKey: string | undefined;
      const all: Array<Pick<Tenant, "tenantId" | "tenantName">> = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await controlPlane.tenants(startKey, 100);
        all.push(...answer.data.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName })));
        startKey = answer.next_start_key;
        if (!startKey) break;
      }
      if (live) setTenants(all.sort((a, b) => a.tenantName.localeCompare(b.tenantName)));
    })().catch((e: unknown) => live && setError(describeError(e)));
    return () => {
      live = false;
    };
  }, []);
  const names = new Map(tenants.map((t) => [t.tenantId, t.tenantName]));
  return { tenants, error, nameOf: (id: string) => names.get(id) };
}
