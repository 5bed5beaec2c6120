"use client";

import { Button, Code, Group, NativeSelect, Paper, Stack, Table, Text, TextInput } from "@mantine/core";
import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { describeError } from "../../../lib/browser-api";
import { amount, controlPlane, query, utcDay, usd, type Meter, type UsageAnswer } from "../../../lib/control-plane";
import type { DayBar } from "../ui/usage-chart";
import { useOptional } from "../ui/use-optional";
import { classes, DataTable, Disclosure, Hint, PageTitle, Panel, Problem } from "../ui/parts";
import { useTenantNames } from "../ui/use-tenant-names";

// The chart draws in the browser only (it measures its box); the table below says the same in text.
const UsageChart = dynamic(() => import("../ui/usage-chart"), { ssr: false, loading: () => <div className={classes.chart} aria-hidden="true" /> });

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
      <PageTitle title="Usage" lead="A meter's usage over a period, by day and by tenant. Days are UTC days, as usage is counted." />
      <Paper withBorder radius="md" p={{ base: "md", sm: "lg" }} mb="lg" component="form" onSubmit={apply} aria-label="Choose the usage to show" key={JSON.stringify(picked)} data-testid="usage-filters">
        <Stack gap="md">
          <div className={classes.fields}>
            <NativeSelect
              id="usage-meter"
              name="meter"
              label="Meter"
              defaultValue={meter?.meterId ?? ""}
              disabled={meterList.length === 0}
              data={meterList.map((m) => ({ value: m.meterId, label: `${m.displayName} (${m.meterApiName})` }))}
            />
            <NativeSelect id="usage-period" name="period" label="Period" value={period} onChange={(e) => setPeriod(e.currentTarget.value)} data={PERIODS.map((p) => ({ value: p.id, label: p.label }))} />
            {period === "custom" ? (
              <>
                <TextInput id="usage-from" name="from" label="From" type="date" defaultValue={picked.from} required withAsterisk={false} />
                <TextInput id="usage-to" name="to" label="To" type="date" defaultValue={picked.to} required withAsterisk={false} />
              </>
            ) : null}
            <NativeSelect
              id="usage-tenant"
              name="tenant"
              label="Tenant"
              defaultValue={picked.tenant ?? ""}
              data={[{ value: "", label: "All tenants" }, ...tenants.tenants.map((t) => ({ value: t.tenantId, label: t.tenantName }))]}
            />
          </div>
          {tenants.error ? <Hint>The tenants could not be read ({tenants.error}); usage of all tenants is shown.</Hint> : null}
          <Group>
            <Button type="submit" disabled={meterList.length === 0}>
              Show usage
            </Button>
          </Group>
        </Stack>
      </Paper>

      <Panel id="by-day-title" title={meter ? `${meter.displayName} by day` : "Usage by day"} busy={report.status === "loading"} testId="usage-by-day">
        {meters.status === "error" ? (
          <Problem>{meters.message}</Problem>
        ) : meters.status === "missing" ? (
          <Hint>This installation&apos;s API has no meters yet.</Hint>
        ) : picked.meter && meters.status === "ready" && !meter ? (
          <Problem>That meter no longer exists. Choose another.</Problem>
        ) : "error" in range ? (
          <Problem>{range.error}</Problem>
        ) : report.status === "error" ? (
          <Problem>{report.message}</Problem>
        ) : report.status === "ready" && meter ? (
          <DayReport answer={report.byDay} range={report.range} unit={unit} meter={meter} tenant={picked.tenant ? (tenantName(picked.tenant) ?? picked.tenant) : undefined} />
        ) : (
          <Hint>Loading…</Hint>
        )}
      </Panel>

      <Panel id="by-tenant-title" title="By tenant" testId="usage-by-tenant">
        {report.status === "ready" ? (
          report.byTenant.groups.length > 0 ? (
            <DataTable
              wideLabels
              data-testid="usage-tenants"
              caption={`${meter?.displayName ?? ""} by tenant, ${utcDay(dayKey(report.range.start))} to ${utcDay(dayKey(report.range.end - DAY))}`}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Tenant</Table.Th>
                  <Table.Th scope="col" className={classes.num}>
                    Usage ({unit})
                  </Table.Th>
                  <Table.Th scope="col" className={classes.num}>
                    Events
                  </Table.Th>
                  <Table.Th scope="col" className={classes.num}>
                    Share
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {[...report.byTenant.groups]
                  .sort((a, b) => b.value - a.value)
                  .map((g) => (
                    <Table.Tr key={g.key} data-testid="usage-tenant-row">
                      <Table.Th scope="row">
                        {tenantName(g.key) ?? <Code>{g.key}</Code>}
                        {tenantName(g.key) ? (
                          <Text size="xs" c="dimmed" fw={400}>
                            {g.key}
                          </Text>
                        ) : null}
                      </Table.Th>
                      <Table.Td data-label="Usage" className={classes.num}>
                        <div className={classes.cell}>{formatValue(g.value, unit)}</div>
                      </Table.Td>
                      <Table.Td data-label="Events" className={classes.num}>
                        <div className={classes.cell}>{amount(g.events)}</div>
                      </Table.Td>
                      <Table.Td data-label="Share" className={classes.num}>
                        <div className={classes.cell}>{report.byTenant.value > 0 && report.byTenant.aggregation !== "max" ? `${((g.value / report.byTenant.value) * 100).toFixed(1)} %` : "—"}</div>
                      </Table.Td>
                    </Table.Tr>
                  ))}
              </Table.Tbody>
            </DataTable>
          ) : (
            <Hint>No tenant has usage on this meter in this period.</Hint>
          )
        ) : report.status === "loading" ? (
          <Hint>Loading…</Hint>
        ) : null}
      </Panel>
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
      <dl className={classes.totals}>
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
      <figure className={`${classes.figure} chart-figure`} role="img" aria-label={summary}>
        <UsageChart bars={bars} unit={unit} />
      </figure>
      <Hint testId="usage-summary">{summary}</Hint>
      <Disclosure label="Table of the days with usage">
        {busy.length > 0 ? (
          <DataTable data-testid="usage-days" caption={`${meter.displayName} by day, ${first} to ${last}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Day (UTC)</Table.Th>
                <Table.Th scope="col" className={classes.num}>
                  Usage ({unit})
                </Table.Th>
                <Table.Th scope="col" className={classes.num}>
                  Events
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {busy.map((b) => (
                <Table.Tr key={b.key}>
                  <Table.Th scope="row">
                    <time dateTime={b.key}>{utcDay(b.key)}</time>
                  </Table.Th>
                  <Table.Td data-label="Usage" className={classes.num}>
                    <div className={classes.cell}>{formatValue(b.value, unit)}</div>
                  </Table.Td>
                  <Table.Td data-label="Events" className={classes.num}>
                    <div className={classes.cell}>{amount(b.events)}</div>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </DataTable>
        ) : (
          <Hint>No day of this period has usage.</Hint>
        )}
      </Disclosure>
    </>
  );
}
