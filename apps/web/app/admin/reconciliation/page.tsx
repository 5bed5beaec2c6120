"use client";

import { Alert, Anchor, Badge, Button, Code, Group, NativeSelect, Paper, Stack, Table, Text, TextInput } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { describeError } from "../../../lib/browser-api";
import { amount, controlPlane, query, usd, utcDay, type ReconciliationRow } from "../../../lib/control-plane";
import { classes, DataTable, Hint, PageTitle, Panel, Problem, visuallyHidden } from "../ui/parts";
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

  const num = classes.num;
  return (
    <>
      <PageTitle
        title="Reconciliation"
        lead="Per tenant, model and day: the raw counts, the cost recorded when the calls were made, and the cost recomputed from the counts with the price version in force at each call."
      />
      <Paper withBorder radius="md" p={{ base: "md", sm: "lg" }} mb="lg" component="form" onSubmit={apply} aria-label="Choose the period" key={JSON.stringify(picked)} data-testid="reconciliation-filters">
        <Stack gap="md">
          <div className={classes.fields}>
            <TextInput id="rec-from" name="from" label="From" type="date" defaultValue={"error" in period ? picked.from : period.first} required withAsterisk={false} />
            <TextInput id="rec-to" name="to" label="To" type="date" defaultValue={"error" in period ? picked.to : period.last} required withAsterisk={false} />
            <NativeSelect
              id="rec-tenant"
              name="tenant"
              label="Tenant"
              defaultValue={picked.tenant ?? ""}
              data={[{ value: "", label: "All tenants" }, ...tenants.tenants.map((t) => ({ value: t.tenantId, label: t.tenantName }))]}
            />
          </div>
          <Hint>UTC days, at most {MAX_DAYS} at a time.</Hint>
          <Group>
            <Button type="submit">Show report</Button>
          </Group>
        </Stack>
      </Paper>

      <Panel id="report-title" title={"error" in period ? "Report" : `${utcDay(period.first)} – ${utcDay(period.last)}`} busy={report.status === "loading"} testId="reconciliation">
        {"error" in period ? (
          <Problem>{period.error}</Problem>
        ) : report.status === "error" ? (
          <Problem>{report.message}</Problem>
        ) : report.status === "loading" ? (
          <Hint>Loading…</Hint>
        ) : rows.length === 0 ? (
          <Hint testId="reconciliation-empty">No metered model calls in this period.</Hint>
        ) : (
          <>
            <dl className={classes.totals} data-testid="reconciliation-totals">
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
              <Alert color="red" variant="light" role="status" icon={<IconAlertTriangle size={18} aria-hidden />} styles={{ message: { color: "var(--mantine-color-text)" } }}>
                {totals.differing === 1 ? "One row's" : `${totals.differing} rows'`} recorded cost differs from the recomputed cost: marked below.
              </Alert>
            ) : (
              <Hint>Every row&apos;s recorded cost matches its recomputed cost.</Hint>
            )}
            <DataTable wideLabels data-testid="reconciliation-rows" caption="Recorded and recomputed cost per tenant, model and day, in US dollars">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Day · tenant · model</Table.Th>
                  <Table.Th scope="col" className={num}>
                    Calls
                  </Table.Th>
                  <Table.Th scope="col" className={num}>
                    Input tokens
                  </Table.Th>
                  <Table.Th scope="col" className={num}>
                    Output tokens
                  </Table.Th>
                  <Table.Th scope="col" className={num}>
                    Images
                  </Table.Th>
                  <Table.Th scope="col" className={num}>
                    Recorded
                  </Table.Th>
                  <Table.Th scope="col" className={num}>
                    Recomputed
                  </Table.Th>
                  <Table.Th scope="col" className={num}>
                    Difference
                  </Table.Th>
                  <Table.Th scope="col">Price versions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => {
                  const name = tenants.nameOf(r.tenantId);
                  const differs = r.differenceUsd !== 0;
                  return (
                    <Table.Tr key={`${r.day}|${r.tenantId}|${r.modelId}`} data-differs={differs || undefined} data-testid="reconciliation-row">
                      <Table.Th scope="row" fw={400}>
                        <Text fw={600} size="sm">
                          <time dateTime={r.day}>{utcDay(r.day)}</time>
                        </Text>
                        <Anchor component={Link} href={`/admin/tenants/${r.tenantId}`} size="sm" underline="always" display="block">
                          {name ?? r.tenantId}
                        </Anchor>
                        <Code display="block" bg="transparent" p={0}>
                          {r.modelId}
                        </Code>
                        {differs ? (
                          <Badge color="red" variant="filled" radius="xl" tt="none" mt={4} data-testid="differs">
                            Differs
                          </Badge>
                        ) : null}
                      </Table.Th>
                      <Table.Td data-label="Calls" className={num}>
                        <div className={classes.cell}>{amount(r.events)}</div>
                      </Table.Td>
                      <Table.Td data-label="Input tokens" className={num}>
                        <div className={classes.cell}>{amount(r.inputTokens)}</div>
                      </Table.Td>
                      <Table.Td data-label="Output tokens" className={num}>
                        <div className={classes.cell}>{amount(r.outputTokens)}</div>
                      </Table.Td>
                      <Table.Td data-label="Images" className={num}>
                        <div className={classes.cell}>{amount(r.images)}</div>
                      </Table.Td>
                      <Table.Td data-label="Recorded" className={num}>
                        <div className={classes.cell}>{usd(r.recordedUsd)}</div>
                      </Table.Td>
                      <Table.Td data-label="Recomputed" className={num}>
                        <div className={classes.cell}>{usd(r.recomputedUsd)}</div>
                      </Table.Td>
                      <Table.Td data-label="Difference" className={`${num} ${classes.diff}`}>
                        <div className={classes.cell}>
                          {differs ? <strong>{usd(r.differenceUsd)}</strong> : usd(0)}
                          {differs ? <span style={visuallyHidden}> (differs)</span> : null}
                        </div>
                      </Table.Td>
                      <Table.Td data-label="Versions">
                        <div className={classes.cell}>{r.priceVersions.map((v) => `v${v}`).join(", ")}</div>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
              <Table.Tfoot>
                <Table.Tr data-testid="reconciliation-total">
                  <Table.Th scope="row">Total</Table.Th>
                  <Table.Td data-label="Calls" className={num}>
                    <div className={classes.cell}>{amount(totals.events)}</div>
                  </Table.Td>
                  <Table.Td data-label="Input tokens" className={num}>
                    <div className={classes.cell}>{amount(totals.inputTokens)}</div>
                  </Table.Td>
                  <Table.Td data-label="Output tokens" className={num}>
                    <div className={classes.cell}>{amount(totals.outputTokens)}</div>
                  </Table.Td>
                  <Table.Td data-label="Images" className={num}>
                    <div className={classes.cell}>{amount(totals.images)}</div>
                  </Table.Td>
                  <Table.Td data-label="Recorded" className={num}>
                    <div className={classes.cell}>{usd(totals.recorded / 1e6)}</div>
                  </Table.Td>
                  <Table.Td data-label="Recomputed" className={num}>
                    <div className={classes.cell}>{usd(totals.recomputed / 1e6)}</div>
                  </Table.Td>
                  <Table.Td data-label="Difference" className={num}>
                    <div className={classes.cell}>{usd(difference)}</div>
                  </Table.Td>
                  <Table.Td className={classes.empty} aria-hidden="true" />
                </Table.Tr>
              </Table.Tfoot>
            </DataTable>
          </>
        )}
      </Panel>
    </>
  );
}
