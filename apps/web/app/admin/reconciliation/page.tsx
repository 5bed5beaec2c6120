"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { describeError } from "../../../lib/browser-api";
import { amount, controlPlane, query, usd, utcDay, type ReconciliationRow } from "../../../lib/control-plane";
import { useTenantNames } from "../ui/use-tenant-names";

type Search = { from?: string; to?: string; tenant?: string };
const FIELDS = ["from", "to", "tenant"] as const;
const DAY_MS = 86_400_000;
const MAX_DAYS = 93;
const isDate = (v: string | undefined): v is string => v !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(v);
const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The period in whole UTC days (as the report's days are): the start of the first to the end of the last. */
function periodOf(picked: Search): { from: string; to: string; first: string; last: string } | { error: string } {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const first = isDate(picked.from) ? picked.from : utcDate(today - 29 * DAY_MS);
  const last = isDate(picked.to) ? picked.to : utcDate(today);
  const from = Date.parse(`${first}T00:00:00Z`);
  const to = Date.parse(`${last}T00:00:00Z`) + DAY_MS;
  if (to <= from) return { error: "The period must end on or after the day it starts." };
  if (to - from > MAX_DAYS * DAY_MS) return { error: `Choose at most ${MAX_DAYS} days at a time.` };
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), first, last };
}

type Report = { status: "loading" } | { status: "error"; message: string; key: string } | { status: "ready"; rows: ReconciliationRow[]; key: string };

/** Operators: per tenant, model and day, the cost recorded against the cost recomputed from the raw counts. */
export default function ReconciliationPage({ searchParams }: { searchParams: Search }) {
  const router = useRouter();
  const picked: Search = Object.fromEntries(FIELDS.map((f) => [f, typeof searchParams[f] === "string" ? searchParams[f] : undefined]));
  const tenants = useTenantNames();
  const period = periodOf(picked);
  const [answer, setReport] = useState<Report>({ status: "loading" });
  const key = JSON.stringify({ period, tenant: picked.tenant });
  // An answer to other choices is never shown as this one's.
  const report: Report = answer.status !== "loading" && answer.key !== key ? { status: "loading" } : answer;

  useEffect(() => {
    const { period: p, tenant } = JSON.parse(key) as { period: ReturnType<typeof periodOf>; tenant?: string };
    if ("error" in p) return;
    let live = true;
    setReport({ status: "loading" });
    controlPlane.reconciliation({ from: p.from, to: p.to, tenantId: tenant }).then(
      (rows) => live && setReport({ status: "ready", rows, key }),
      (e: unknown) => live && setReport({ status: "error", message: describeError(e), key }),
    );
    return () => {
      live = false;
    };
  }, [key]);

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = new FormData(event.currentTarget);
    router.push(`/admin/reconciliation${query(Object.fromEntries(FIELDS.map((f) => [f, String(values.get(f) ?? "").trim()])))}`);
  }

  const rows = report.status === "ready" ? report.rows : [];
  const totals = rows.reduce(
    (t, r) => ({
      events: t.events + r.events,
      inputTokens: t.inputTokens + r.inputTokens,
      outputTokens: t.outputTokens + r.outputTokens,
      images: t.images + r.images,
      // In millionths, as the API sums: exact whatever the order.
      recorded: t.recorded + Math.round(r.recordedUsd * 1e6),
      recomputed: t.recomputed + Math.round(r.recomputedUsd * 1e6),
      differing: t.differing + (r.differenceUsd !== 0 ? 1 : 0),
    }),
    { events: 0, inputTokens: 0, outputTokens: 0, images: 0, recorded: 0, recomputed: 0, differing: 0 },
  );
  const difference = (totals.recorded - totals.recomputed) / 1e6;

  return (
    <>
      <h1>Reconciliation</h1>
      <p className="lead">Per tenant, model and day: the raw counts, the cost recorded when the calls were made, and the cost recomputed from the counts with the price version in force at each call.</p>
      <form className="card stack" onSubmit={apply} aria-label="Choose the period" key={JSON.stringify(picked)} data-testid="reconciliation-filters">
        <div className="fields">
          <label className="field" htmlFor="rec-from">
            <span>From</span>
            <input id="rec-from" name="from" type="date" defaultValue={"error" in period ? picked.from : period.first} required />
          </label>
          <label className="field" htmlFor="rec-to">
            <span>To</span>
            <input id="rec-to" name="to" type="date" defaultValue={"error" in period ? picked.to : period.last} required />
          </label>
          <label className="field" htmlFor="rec-tenant">
            <span>Tenant</span>
            <select id="rec-tenant" name="tenant" defaultValue={picked.tenant ?? ""}>
              <option value="">All tenants</option>
              {tenants.tenants.map((t) => (
                <option key={t.tenantId} value={t.tenantId}>
                  {t.tenantName}
                </option>
              ))}
            </select>
          </label>
        </div>
        <p className="hint">UTC days, at most {MAX_DAYS} at a time.</p>
        <div className="actions wrap">
          <button type="submit">Show report</button>
        </div>
      </form>

      <section className="card stack" aria-labelledby="report-title" aria-busy={report.status === "loading"} data-testid="reconciliation">
        <h2 id="report-title">{"error" in period ? "Report" : `${utcDay(period.first)} – ${utcDay(period.last)}`}</h2>
        {"error" in period ? (
          <p className="error" role="alert">
            {period.error}
          </p>
        ) : report.status === "error" ? (
          <p className="error" role="alert">
            {report.message}
          </p>
        ) : report.status === "loading" ? (
          <p className="hint">Loading…</p>
        ) : rows.length === 0 ? (
          <p className="hint" data-testid="reconciliation-empty">
            No metered model calls in this period.
          </p>
        ) : (
          <>
            <dl className="totals" data-testid="reconciliation-totals">
              <div>
                <dt>Recorded</dt>
                <dd>{usd(totals.recorded / 1e6)}</dd>
              </div>
              <div>
                <dt>Recomputed</dt>
                <dd>{usd(totals.recomputed / 1e6)}</dd>
              </div>
              <div>
                <dt>Difference</dt>
                <dd data-differs={difference !== 0 || undefined}>{usd(difference)}</dd>
              </div>
              <div>
                <dt>Rows that differ</dt>
                <dd data-testid="rows-differing">
                  {totals.differing} of {rows.length}
                </dd>
              </div>
            </dl>
            {totals.differing > 0 ? (
              <p className="warning" role="status">
                {totals.differing === 1 ? "One row's" : `${totals.differing} rows'`} recorded cost differs from the recomputed cost: marked below.
              </p>
            ) : (
              <p className="hint">Every row&apos;s recorded cost matches its recomputed cost.</p>
            )}
            <table className="data reconciliation wide-labels" data-testid="reconciliation-rows">
              <caption className="visually-hidden">Recorded and recomputed cost per tenant, model and day, in US dollars</caption>
              <thead>
                <tr>
                  <th scope="col">Day · tenant · model</th>
                  <th scope="col" className="num">
                    Calls
                  </th>
                  <th scope="col" className="num">
                    Input tokens
                  </th>
                  <th scope="col" className="num">
                    Output tokens
                  </th>
                  <th scope="col" className="num">
                    Images
                  </th>
                  <th scope="col" className="num">
                    Recorded
                  </th>
                  <th scope="col" className="num">
                    Recomputed
                  </th>
                  <th scope="col" className="num">
                    Difference
                  </th>
                  <th scope="col">Price versions</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => {
                  const name = tenants.nameOf(r.tenantId);
                  const differs = r.differenceUsd !== 0;
                  return (
                    <tr key={`${r.day}|${r.tenantId}|${r.modelId}`} data-differs={differs || undefined} data-testid="reconciliation-row">
                      <th scope="row">
                        <time dateTime={r.day}>{utcDay(r.day)}</time>
                        <span className="block">
                          <Link href={`/admin/tenants/${r.tenantId}`}>{name ?? r.tenantId}</Link>
                        </span>
                        <code className="block">{r.modelId}</code>
                        {differs ? (
                          <span className="badge" data-status="failed" data-testid="differs">
                            Differs
                          </span>
                        ) : null}
                      </th>
                      <td data-label="Calls" className="num">
                        <div className="cell">{amount(r.events)}</div>
                      </td>
                      <td data-label="Input tokens" className="num">
                        <div className="cell">{amount(r.inputTokens)}</div>
                      </td>
                      <td data-label="Output tokens" className="num">
                        <div className="cell">{amount(r.outputTokens)}</div>
                      </td>
                      <td data-label="Images" className="num">
                        <div className="cell">{amount(r.images)}</div>
                      </td>
                      <td data-label="Recorded" className="num">
                        <div className="cell">{usd(r.recordedUsd)}</div>
                      </td>
                      <td data-label="Recomputed" className="num">
                        <div className="cell">{usd(r.recomputedUsd)}</div>
                      </td>
                      <td data-label="Difference" className="num diff">
                        <div className="cell">
                          {differs ? <strong>{usd(r.differenceUsd)}</strong> : usd(0)}
                          {differs ? <span className="visually-hidden"> (differs)</span> : null}
                        </div>
                      </td>
                      <td data-label="Versions">
                        <div className="cell">{r.priceVersions.map((v) => `v${v}`).join(", ")}</div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
              <tfoot>
                <tr data-testid="reconciliation-total">
                  <th scope="row">Total</th>
                  <td data-label="Calls" className="num">
                    <div className="cell">{amount(totals.events)}</div>
                  </td>
                  <td data-label="Input tokens" className="num">
                    <div className="cell">{amount(totals.inputTokens)}</div>
                  </td>
                  <td data-label="Output tokens" className="num">
                    <div className="cell">{amount(totals.outputTokens)}</div>
                  </td>
                  <td data-label="Images" className="num">
                    <div className="cell">{amount(totals.images)}</div>
                  </td>
                  <td data-label="Recorded" className="num">
                    <div className="cell">{usd(totals.recorded / 1e6)}</div>
                  </td>
                  <td data-label="Recomputed" className="num">
                    <div className="cell">{usd(totals.recomputed / 1e6)}</div>
                  </td>
                  <td data-label="Difference" className="num diff">
                    <div className="cell">{usd(difference)}</div>
                  </td>
                  <td className="empty" aria-hidden="true" />
                </tr>
              </tfoot>
            </table>
          </>
        )}
      </section>
    </>
  );
}
