"use client";

import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { describeError } from "../../../lib/browser-api";
import { amount, controlPlane, query, utcDay, usd, type Meter, type UsageAnswer } from "../../../lib/control-plane";
import type { DayBar } from "../ui/usage-chart";
import { useOptional } from "../ui/use-optional";
import { useTenantNames } from "../ui/use-tenant-names";

// The chart draws in the browser only (it measures its box); the table below says the same in text.
const UsageChart = dynamic(() => import("../ui/usage-chart"), { ssr: false, loading: () => <div className="chart" aria-hidden="true" /> });

type Search = { meter?: string; period?: string; from?: string; to?: string; tenant?: string };
const FIELDS = ["meter", "period", "from", "to", "tenant"] as const;
const PERIODS = [
  { id: "7", label: "Last 7 days" },
  { id: "30", label: "Last 30 days" },
  { id: "90", label: "Last 90 days" },
  { id: "custom", label: "From – to (dates)" },
] as const;
const DAY = 86_400;
const isDate = (v: string | undefined): v is string => v !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(v);
const dayKey = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);
const shortDay = (key: string) => new Date(`${key}T00:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/**
 * The period as the API asks it, in whole UTC days (as usage is grouped by day): the last N days
 * end with today; dates run from the start of the first to the end of the last.
 */
function rangeOf(picked: Search): { start: number; end: number } | { error: string } {
  if (picked.period === "custom") {
    if (!isDate(picked.from) || !isDate(picked.to)) return { error: "Choose both dates of the period." };
    const start = Date.parse(`${picked.from}T00:00:00Z`) / 1000;
    const end = Date.parse(`${picked.to}T00:00:00Z`) / 1000 + DAY;
    if (end <= start) return { error: "The period must end on or after the day it starts." };
    if (end - start > 400 * DAY) return { error: "Choose at most 400 days at a time." };
    return { start, end };
  }
  const days = Number(picked.period ?? "30") || 30;
  const today = Math.floor(Date.now() / 1000 / DAY) * DAY;
  return { start: today - (days - 1) * DAY, end: today + DAY };
}

/** Every day of the range, with the meter's value on it (0 where nothing was counted). */
function barsOf(answer: UsageAnswer, range: { start: number; end: number }): DayBar[] {
  const byKey = new Map(answer.groups.map((g) => [g.key, g]));
  const bars: DayBar[] = [];
  for (let t = range.start; t < range.end; t += DAY) {
    const key = dayKey(t);
    bars.push({ key, label: shortDay(key), value: byKey.get(key)?.value ?? 0, events: byKey.get(key)?.events ?? 0 });
  }
  return bars;
}

type Report = { status: "idle" } | { status: "loading" } | { status: "error"; message: string; key: string } | { status: "ready"; byDay: UsageAnswer; byTenant: UsageAnswer; range: { start: number; end: number }; key: string };

/** Operators: a meter's usage over a period, by day (a chart and its table) and by tenant. */
export default function UsagePage({ searchParams }: { searchParams: Search }) {
  const router = useRouter();
  const picked: Search = Object.fromEntries(FIELDS.map((f) => [f, typeof searchParams[f] === "string" ? searchParams[f] : undefined]));
  const meters = useOptional(() => controlPlane.meters(), []);
  const tenants = useTenantNames();
  const [period, setPeriod] = useState(picked.period ?? "30");
  const [answer, setReport] = useState<Report>({ status: "idle" });
  // Back and forward change the address: the period's choice follows it.
  useEffect(() => setPeriod(picked.period ?? "30"), [picked.period]);

  const meterList = meters.status === "ready" ? meters.value : [];
  const meter: Meter | undefined = meterList.find((m) => m.meterId === picked.meter) ?? (picked.meter ? undefined : meterList[0]);
  const range = rangeOf(picked);
  const key = JSON.stringify({ meter: meter?.meterId, range, tenant: picked.tenant });
  // An answer to other choices is never shown as this one's.
  const report: Report = (answer.status === "ready" || answer.status === "error") && answer.key !== key ? { status: "loading" } : answer;

  useEffect(() => {
    const { meter: meterId, range: r, tenant } = JSON.parse(key) as { meter?: string; range: ReturnType<typeof rangeOf>; tenant?: string };
    if (!meterId || "error" in r) return;
    let live = true;
    setReport({ status: "loading" });
    const ask = { startTimeInSeconds: r.start, endTimeInSeconds: r.end, tenantId: tenant };
    Promise.all([controlPlane.usage(meterId, { ...ask, groupBy: "day" }), controlPlane.usage(meterId, { ...ask, groupBy: "tenant" })]).then(
      ([byDay, byTenant]) => live && setReport({ status: "ready", byDay, byTenant, range: r, key }),
      (e: unknown) => live && setReport({ status: "error", message: describeError(e), key }),
    );
    return () => {
      live = false;
    };
  }, [key]);

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = new FormData(event.currentTarget);
    const next = Object.fromEntries(FIELDS.map((f) => [f, String(values.get(f) ?? "").trim()]));
    if (next.period !== "custom") {
      next.from = "";
      next.to = "";
    }
    router.push(`/admin/usage${query(next)}`);
  }

  const unit = meter?.unit ?? "";
  const tenantName = (id: string) => tenants.nameOf(id);
  return (
    <>
      <h1>Usage</h1>
      <p className="lead">A meter&apos;s usage over a period, by day and by tenant. Days are UTC days, as usage is counted.</p>
      <form className="card stack" onSubmit={apply} aria-label="Choose the usage to show" key={JSON.stringify(picked)} data-testid="usage-filters">
        <div className="fields">
          <label className="field" htmlFor="usage-meter">
            <span>Meter</span>
            <select id="usage-meter" name="meter" defaultValue={meter?.meterId ?? ""} disabled={meterList.length === 0}>
              {meterList.map((m) => (
                <option key={m.meterId} value={m.meterId}>
                  {m.displayName} ({m.meterApiName})
                </option>
              ))}
            </select>
          </label>
          <label className="field" htmlFor="usage-period">
            <span>Period</span>
            <select id="usage-period" name="period" value={period} onChange={(e) => setPeriod(e.target.value)}>
              {PERIODS.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
          {period === "custom" ? (
            <>
              <label className="field" htmlFor="usage-from">
                <span>From</span>
                <input id="usage-from" name="from" type="date" defaultValue={picked.from} required />
              </label>
              <label className="field" htmlFor="usage-to">
                <span>To</span>
                <input id="usage-to" name="to" type="date" defaultValue={picked.to} required />
              </label>
            </>
          ) : null}
          <label className="field" htmlFor="usage-tenant">
            <span>Tenant</span>
            <select id="usage-tenant" name="tenant" defaultValue={picked.tenant ?? ""}>
              <option value="">All tenants</option>
              {tenants.tenants.map((t) => (
                <option key={t.tenantId} value={t.tenantId}>
                  {t.tenantName}
                </option>
              ))}
            </select>
          </label>
        </div>
        {tenants.error ? <p className="hint">The tenants could not be read ({tenants.error}); usage of all tenants is shown.</p> : null}
        <div className="actions wrap">
          <button type="submit" disabled={meterList.length === 0}>
            Show usage
          </button>
        </div>
      </form>

      <section className="card stack" aria-labelledby="by-day-title" aria-busy={report.status === "loading"} data-testid="usage-by-day">
        <h2 id="by-day-title">{meter ? `${meter.displayName} by day` : "Usage by day"}</h2>
        {meters.status === "error" ? (
          <p className="error" role="alert">
            {meters.message}
          </p>
        ) : meters.status === "missing" ? (
          <p className="hint">This installation&apos;s API has no meters yet.</p>
        ) : picked.meter && meters.status === "ready" && !meter ? (
          <p className="error" role="alert">
            That meter no longer exists. Choose another.
          </p>
        ) : "error" in range ? (
          <p className="error" role="alert">
            {range.error}
          </p>
        ) : report.status === "error" ? (
          <p className="error" role="alert">
            {report.message}
          </p>
        ) : report.status === "ready" && meter ? (
          <DayReport answer={report.byDay} range={report.range} unit={unit} meter={meter} tenant={picked.tenant ? (tenantName(picked.tenant) ?? picked.tenant) : undefined} />
        ) : (
          <p className="hint">Loading…</p>
        )}
      </section>

      <section className="card stack" aria-labelledby="by-tenant-title" data-testid="usage-by-tenant">
        <h2 id="by-tenant-title">By tenant</h2>
        {report.status === "ready" ? (
          report.byTenant.groups.length > 0 ? (
            <table className="data wide-labels" data-testid="usage-tenants">
              <caption className="visually-hidden">
                {meter?.displayName} by tenant, {utcDay(dayKey(report.range.start))} to {utcDay(dayKey(report.range.end - DAY))}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Tenant</th>
                  <th scope="col" className="num">
                    Usage ({unit})
                  </th>
                  <th scope="col" className="num">
                    Events
                  </th>
                  <th scope="col" className="num">
                    Share
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...report.byTenant.groups]
                  .sort((a, b) => b.value - a.value)
                  .map((g) => (
                    <tr key={g.key} data-testid="usage-tenant-row">
                      <th scope="row">
                        {tenantName(g.key) ?? <code>{g.key}</code>}
                        {tenantName(g.key) ? <small className="hint block">{g.key}</small> : null}
                      </th>
                      <td data-label="Usage" className="num">
                        <div className="cell">{formatValue(g.value, unit)}</div>
                      </td>
                      <td data-label="Events" className="num">
                        <div className="cell">{amount(g.events)}</div>
                      </td>
                      <td data-label="Share" className="num">
                        <div className="cell">{report.byTenant.value > 0 && report.byTenant.aggregation !== "max" ? `${((g.value / report.byTenant.value) * 100).toFixed(1)} %` : "—"}</div>
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          ) : (
            <p className="hint">No tenant has usage on this meter in this period.</p>
          )
        ) : report.status === "loading" ? (
          <p className="hint">Loading…</p>
        ) : null}
      </section>
    </>
  );
}

const formatValue = (value: number, unit: string) => (unit === "USD" ? usd(value) : amount(value));

/** The total, the chart and its text alternative: a summary and a table of the days with usage. */
function DayReport({ answer, range, unit, meter, tenant }: { answer: UsageAnswer; range: { start: number; end: number }; unit: string; meter: Meter; tenant?: string }) {
  const bars = barsOf(answer, range);
  const busy = bars.filter((b) => b.events > 0);
  const peak = busy.reduce<DayBar | undefined>((top, b) => (!top || b.value > top.value ? b : top), undefined);
  const first = utcDay(dayKey(range.start));
  const last = utcDay(dayKey(range.end - DAY));
  const aggregate = answer.aggregation === "sum" ? "Total" : answer.aggregation === "count" ? "Events counted" : "Largest value";
  const summary =
    `${meter.displayName}${tenant ? ` for ${tenant}` : ""} by day, ${first} to ${last}: ${aggregate.toLowerCase()} ${formatValue(answer.value, unit)} ${unit} from ${amount(answer.events)} events` +
    (peak ? `, on ${busy.length} of ${bars.length} days; highest on ${utcDay(peak.key)} with ${formatValue(peak.value, unit)}.` : "; no usage on any day.");
  return (
    <>
      <dl className="totals">
        <div>
          <dt>{aggregate}</dt>
          <dd>
            <strong data-testid="usage-total">{formatValue(answer.value, unit)}</strong> {unit}
          </dd>
        </div>
        <div>
          <dt>Events</dt>
          <dd data-testid="usage-events">{amount(answer.events)}</dd>
        </div>
        <div>
          <dt>Period</dt>
          <dd>
            {first} – {last}
          </dd>
        </div>
        {tenant ? (
          <div>
            <dt>Tenant</dt>
            <dd>{tenant}</dd>
          </div>
        ) : null}
      </dl>
      <figure className="chart-figure" role="img" aria-label={summary}>
        <UsageChart bars={bars} unit={unit} />
      </figure>
      <p className="hint" data-testid="usage-summary">
        {summary}
      </p>
      <details>
        <summary>Table of the days with usage</summary>
        {busy.length > 0 ? (
          <table className="data compact" data-testid="usage-days">
            <caption className="visually-hidden">
              {meter.displayName} by day, {first} to {last}
            </caption>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col" className="num">
                  Usage ({unit})
                </th>
                <th scope="col" className="num">
                  Events
                </th>
              </tr>
            </thead>
            <tbody>
              {busy.map((b) => (
                <tr key={b.key}>
                  <th scope="row">
                    <time dateTime={b.key}>{utcDay(b.key)}</time>
                  </th>
                  <td data-label="Usage" className="num">
                    <div className="cell">{formatValue(b.value, unit)}</div>
                  </td>
                  <td data-label="Events" className="num">
                    <div className="cell">{amount(b.events)}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="hint">No day of this period has usage.</p>
        )}
      </details>
    </>
  );
}
