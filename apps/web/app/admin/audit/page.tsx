"use client";

import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { auditExportUrl, query, type AuditFilters } from "../../../lib/control-plane";
import { AuditTable } from "../ui/audit-list";
import { useActorNames } from "../ui/use-actors";
import { dayBound, useAudit } from "../ui/use-audit";

type Search = { tenantId?: string; action?: string; actor?: string; outcome?: string; from?: string; to?: string };
const FIELDS = ["tenantId", "action", "actor", "outcome", "from", "to"] as const;

/** The audit log across tenants, filtered; the filters live in the address, so a view can be shared. */
export default function AuditPage({ searchParams }: { searchParams: Search }) {
  const router = useRouter();
  const picked: Search = Object.fromEntries(FIELDS.map((f) => [f, typeof searchParams[f] === "string" ? searchParams[f] : undefined]));
  const filters: AuditFilters = { tenantId: picked.tenantId, action: picked.action, actor: picked.actor, outcome: picked.outcome, from: dayBound(picked.from, false), to: dayBound(picked.to, true) };
  const audit = useAudit(filters);
  const nameOf = useActorNames();

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = new FormData(event.currentTarget);
    router.push(`/admin/audit${query(Object.fromEntries(FIELDS.map((f) => [f, String(values.get(f) ?? "").trim()])))}`);
  }

  return (
    <>
      <h1>Audit log</h1>
      <p className="lead">Sign-ins, keys, roles, policies, operator actions and lifecycle moves, across every tenant.</p>
      <form className="card stack" onSubmit={apply} aria-label="Filter the audit log" key={JSON.stringify(picked)} data-testid="audit-filters">
        <div className="fields">
          <label className="field">
            <span>Tenant id</span>
            <input name="tenantId" defaultValue={picked.tenantId} autoComplete="off" placeholder="an organisation id, or system" />
          </label>
          <label className="field">
            <span>Action starts with</span>
            <input name="action" defaultValue={picked.action} placeholder="e.g. auth." autoComplete="off" />
          </label>
          <label className="field">
            <span>Actor id</span>
            <input name="actor" defaultValue={picked.actor} autoComplete="off" />
          </label>
          <label className="field">
            <span>Outcome</span>
            <select name="outcome" defaultValue={picked.outcome ?? ""}>
              <option value="">any</option>
              <option value="success">success</option>
              <option value="failure">failure</option>
              <option value="denied">denied</option>
            </select>
          </label>
          <label className="field">
            <span>From</span>
            <input name="from" type="date" defaultValue={picked.from} />
          </label>
          <label className="field">
            <span>To</span>
            <input name="to" type="date" defaultValue={picked.to} />
          </label>
        </div>
        <div className="actions wrap">
          <button type="submit">Apply filters</button>
          <button type="button" className="secondary" onClick={() => router.push("/admin/audit")}>
            Clear
          </button>
          <a className="button secondary" href={auditExportUrl(filters)} download data-testid="audit-export">
            Export (JSON lines)
          </a>
        </div>
      </form>

      <section className="card stack" aria-labelledby="entries-title">
        <h2 id="entries-title">Entries</h2>
        {audit.error ? (
          <p className="error" role="alert">
            {audit.error}
          </p>
        ) : null}
        {audit.state === "missing" ? (
          <p className="hint" data-testid="audit-missing">
            This installation&apos;s API does not keep an audit log yet.
          </p>
        ) : audit.entries.length > 0 ? (
          <AuditTable entries={audit.entries} showTenant nameOf={nameOf} />
        ) : audit.state === "ready" && !audit.error ? (
          <p className="hint">No entries match these filters.</p>
        ) : null}
        {audit.state === "loading" ? <p className="hint">Loading…</p> : null}
        {audit.hasMore && audit.state === "ready" ? (
          <div>
            <button type="button" className="secondary" onClick={audit.loadMore} data-testid="load-more">
              Load more
            </button>
          </div>
        ) : null}
      </section>
    </>
  );
}
