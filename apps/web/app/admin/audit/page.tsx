"use client";

import { Button, Group, NativeSelect, Paper, Stack, TextInput } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { auditExportUrl, query, type AuditFilters } from "../../../lib/control-plane";
import { AuditTable } from "../ui/audit-list";
import { classes, Hint, PageTitle, Panel, Problem } from "../ui/parts";
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
      <PageTitle title="Audit log" lead="Sign-ins, keys, roles, policies, operator actions and lifecycle moves, across every tenant." />
      <Paper withBorder radius="md" p={{ base: "md", sm: "lg" }} mb="lg" component="form" onSubmit={apply} aria-label="Filter the audit log" key={JSON.stringify(picked)} data-testid="audit-filters">
        <Stack gap="md">
          <div className={classes.fields}>
            <TextInput name="tenantId" label="Tenant id" defaultValue={picked.tenantId} autoComplete="off" placeholder="an organisation id, or system" />
            <TextInput name="action" label="Action starts with" defaultValue={picked.action} placeholder="e.g. auth." autoComplete="off" />
            <TextInput name="actor" label="Actor id" defaultValue={picked.actor} autoComplete="off" />
            <NativeSelect
              name="outcome"
              label="Outcome"
              defaultValue={picked.outcome ?? ""}
              data={[
                { value: "", label: "any" },
                { value: "success", label: "success" },
                { value: "failure", label: "failure" },
                { value: "denied", label: "denied" },
              ]}
            />
            <TextInput name="from" label="From" type="date" defaultValue={picked.from} />
            <TextInput name="to" label="To" type="date" defaultValue={picked.to} />
          </div>
          <Group gap="sm">
            <Button type="submit">Apply filters</Button>
            <Button type="button" variant="default" onClick={() => router.push("/admin/audit")}>
              Clear
            </Button>
            <Button component="a" variant="default" href={auditExportUrl(filters)} download data-testid="audit-export" leftSection={<IconDownload size={16} aria-hidden />}>
              Export (JSON lines)
            </Button>
          </Group>
        </Stack>
      </Paper>

      <Panel id="entries-title" title="Entries">
        {audit.error ? <Problem>{audit.error}</Problem> : null}
        {audit.state === "missing" ? (
          <Hint testId="audit-missing">This installation&apos;s API does not keep an audit log yet.</Hint>
        ) : audit.entries.length > 0 ? (
          <AuditTable entries={audit.entries} showTenant nameOf={nameOf} />
        ) : audit.state === "ready" && !audit.error ? (
          <Hint>No entries match these filters.</Hint>
        ) : null}
        {audit.state === "loading" ? <Hint>Loading…</Hint> : null}
        {audit.hasMore && audit.state === "ready" ? (
          <Group>
            <Button type="button" variant="default" onClick={audit.loadMore} data-testid="load-more">
              Load more
            </Button>
          </Group>
        ) : null}
      </Panel>
    </>
  );
}
