"use client";

import { Anchor, Breadcrumbs, Code, Group, Stack, Text } from "@mantine/core";
import Link from "next/link";
import { useEffect, useState } from "react";
import { controlPlane, day, when, type Tenant } from "../../../../lib/control-plane";
import { Notice } from "../../../ui/form";
import { AuditTable } from "../../ui/audit-list";
import { OutcomeBadge, StatusBadge } from "../../ui/badge";
import { classes, CopyId, Hint, PageTitle, Panel, Problem } from "../../ui/parts";
import { TenantActions } from "../../ui/tenant-actions";
import { splitActor, useActorNames } from "../../ui/use-actors";
import { useOptional } from "../../ui/use-optional";

/** One tenant: its record, its lifecycle's moves, its registration and its audit entries. */
export default function TenantPage({ params }: { params: { tenantId: string } }) {
  const id = params.tenantId;
  const tenant = useOptional(() => controlPlane.tenant(id), [id]);
  const registrations = useOptional(() => controlPlane.registrations(id), [id]);
  const audit = useOptional(() => controlPlane.audit({ tenantId: id }), [id]);
  const nameOf = useActorNames();
  const [note, setNote] = useState<string | undefined>();
  const [current, setCurrent] = useState<Tenant | undefined>();
  const loaded = tenant.status === "ready" ? tenant.value : undefined;
  useEffect(() => {
    if (loaded) setCurrent(loaded);
  }, [loaded]);
  // While the application plane provisions it, read it again until it settles.
  const moving = current?.status === "provisioning";
  const { reload } = tenant;
  useEffect(() => {
    if (!moving) return;
    const timer = setInterval(reload, 2_000);
    return () => clearInterval(timer);
  }, [moving, reload]);

  if (tenant.status === "error") {
    return (
      <Stack gap="md" align="flex-start">
        <PageTitle title="Tenant" />
        <Problem>{tenant.message}</Problem>
        <Anchor component={Link} href="/admin" underline="always">
          All tenants
        </Anchor>
      </Stack>
    );
  }
  if (!current) {
    return (
      <Text role="status" c="dimmed">
        Loading…
      </Text>
    );
  }
  const t = current;
  return (
    <>
      <Breadcrumbs mb="xs" separator="/" styles={{ root: { flexWrap: "wrap" }, breadcrumb: { overflowWrap: "anywhere" } }} aria-label="Breadcrumb">
        <Anchor component={Link} href="/admin" size="sm" underline="always">
          Tenants
        </Anchor>
        <Text size="sm" c="dimmed" span>
          {t.tenantName}
        </Text>
      </Breadcrumbs>
      <PageTitle title={t.tenantName} testId="tenant-name" />
      <Group gap="xs" mt={4} mb="lg">
        <StatusBadge status={t.status} />
        <Text c="dimmed" size="sm">
          SBT status “{t.tenantStatus}” · {t.isActive ? "its people can sign in" : "sign-in is off"}
        </Text>
      </Group>
      {note ? <Notice testId="admin-note">{note}</Notice> : null}

      <Panel id="details-title" title="Details">
        <dl className={classes.details}>
          <dt>Tenant id</dt>
          <dd>
            <Group gap={4} wrap="nowrap">
              <Code style={{ minWidth: 0, overflowWrap: "anywhere" }}>{t.tenantId}</Code>
              <CopyId value={t.tenantId} label="the tenant id" testId="copy-tenant-id" />
            </Group>
          </dd>
          <dt>Handle</dt>
          <dd>{t.slug}</dd>
          <dt>Owner</dt>
          <dd>{t.email ?? "—"}</dd>
          <dt>Tier</dt>
          <dd>{t.tier}</dd>
          <dt>Created</dt>
          <dd>{when(t.createdAt)}</dd>
          {t.failure ? (
            <>
              <dt>Failed during</dt>
              <dd>{t.failure.during}</dd>
              <dt>Reason</dt>
              <dd>
                <Text c="red" size="sm" span>
                  {t.failure.reason}
                </Text>
              </dd>
            </>
          ) : null}
        </dl>
        <TenantActions
          tenant={t}
          onChanged={(updated, text) => {
            setCurrent(updated);
            setNote(text);
            audit.reload();
          }}
        />
      </Panel>

      <Panel id="timeline-title" title="Lifecycle">
        <ol className={classes.timeline} data-testid="transitions">
          {[...t.transitions].reverse().map((m, i) => (
            <li key={`${m.at}-${i}`}>
              <Text size="xs" c="dimmed">
                <time dateTime={m.at}>{when(m.at)}</time>
              </Text>
              <Group gap={6}>
                {m.from ? <StatusBadge status={m.from} /> : <Hint>new</Hint>}
                {" → "}
                <StatusBadge status={m.to} />
              </Group>
              <Text size="xs" c="dimmed">
                {m.cause} · by {nameOf(...splitActor(m.actor)) ?? m.actor}
              </Text>
            </li>
          ))}
        </ol>
      </Panel>

      <Panel id="registration-title" title="Registration">
        {registrations.status === "ready" && registrations.value.length > 0 ? (
          <ul className={classes.list} data-testid="registrations">
            {registrations.value.map((r) => (
              <li key={r.tenantRegistrationId}>
                <div className={classes.cell}>
                  <Code>{r.tenantRegistrationId}</Code>
                  <Text size="xs" c="dimmed">
                    registered {day(r.createdAt)} · updated {when(r.updatedAt)}
                    {r.sbtaws_active === false ? " · inactive" : ""}
                  </Text>
                  {r.tenantRegistrationData && Object.keys(r.tenantRegistrationData).length > 0 ? (
                    <dl className={classes.pairs}>
                      {Object.entries(r.tenantRegistrationData).map(([k, v]) => (
                        <div key={k}>
                          <dt>{k}</dt>
                          <dd>{String(v)}</dd>
                        </div>
                      ))}
                    </dl>
                  ) : null}
                </div>
                <OutcomeBadge outcome={r.registrationStatus} />
              </li>
            ))}
          </ul>
        ) : registrations.status === "error" ? (
          <Problem live={false}>{registrations.message}</Problem>
        ) : registrations.status === "loading" ? (
          <Hint>Loading…</Hint>
        ) : (
          <Hint testId="no-registration">No registration: this tenant was not registered through the control plane&apos;s tenant registrations.</Hint>
        )}
      </Panel>

      <Panel id="audit-title" title="Audit entries">
        {audit.status === "ready" ? (
          audit.value.data.length > 0 ? (
            <>
              <AuditTable entries={audit.value.data} showTenant={false} nameOf={nameOf} />
              <Text size="sm" c="dimmed">
                {audit.value.next_start_key ? `The first ${audit.value.data.length}. ` : null}
                <Anchor component={Link} href={`/admin/audit?tenantId=${t.tenantId}`} size="sm" underline="always">
                  All of this tenant&apos;s entries
                </Anchor>
              </Text>
            </>
          ) : (
            <Hint>No audit entries yet.</Hint>
          )
        ) : audit.status === "missing" ? (
          <Hint testId="audit-missing">This installation&apos;s API does not keep an audit log yet.</Hint>
        ) : audit.status === "error" ? (
          <Problem live={false}>{audit.message}</Problem>
        ) : (
          <Hint>Loading…</Hint>
        )}
      </Panel>
    </>
  );
}
