"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { controlPlane, day, when, type Tenant } from "../../../../lib/control-plane";
import { Notice } from "../../../ui/form";
import { AuditTable } from "../../ui/audit-list";
import { StatusBadge } from "../../ui/badge";
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
      <>
        <h1>Tenant</h1>
        <p className="error" role="alert">
          {tenant.message}
        </p>
        <Link href="/admin">All tenants</Link>
      </>
    );
  }
  if (!current) return <p className="notice">Loading…</p>;
  const t = current;
  return (
    <>
      <p className="crumbs">
        <Link href="/admin">Tenants</Link> / {t.tenantName}
      </p>
      <h1 data-testid="tenant-name">{t.tenantName}</h1>
      <p className="lead">
        <StatusBadge status={t.status} /> SBT status “{t.tenantStatus}” · {t.isActive ? "its people can sign in" : "sign-in is off"}
      </p>
      {note ? <Notice testId="admin-note">{note}</Notice> : null}

      <section className="card stack" aria-labelledby="details-title">
        <h2 id="details-title">Details</h2>
        <dl className="details">
          <dt>Tenant id</dt>
          <dd>
            <code>{t.tenantId}</code>
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
              <dd className="reason">{t.failure.reason}</dd>
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
      </section>

      <section className="card stack" aria-labelledby="timeline-title">
        <h2 id="timeline-title">Lifecycle</h2>
        <ol className="timeline" data-testid="transitions">
          {[...t.transitions].reverse().map((m, i) => (
            <li key={`${m.at}-${i}`}>
              <time dateTime={m.at}>{when(m.at)}</time>
              <span>
                {m.from ? <StatusBadge status={m.from} /> : <span className="hint">new</span>} → <StatusBadge status={m.to} />
              </span>
              <small className="hint">
                {m.cause} · by {nameOf(...splitActor(m.actor)) ?? m.actor}
              </small>
            </li>
          ))}
        </ol>
      </section>

      <section className="card stack" aria-labelledby="registration-title">
        <h2 id="registration-title">Registration</h2>
        {registrations.status === "ready" && registrations.value.length > 0 ? (
          <ul className="list" data-testid="registrations">
            {registrations.value.map((r) => (
              <li key={r.tenantRegistrationId}>
                <span className="cell">
                  <code>{r.tenantRegistrationId}</code>
                  <small className="block">
                    registered {day(r.createdAt)} · updated {when(r.updatedAt)}
                    {r.sbtaws_active === false ? " · inactive" : ""}
                  </small>
                  {r.tenantRegistrationData && Object.keys(r.tenantRegistrationData).length > 0 ? (
                    <dl className="pairs">
                      {Object.entries(r.tenantRegistrationData).map(([k, v]) => (
                        <div key={k}>
                          <dt>{k}</dt>
                          <dd>{String(v)}</dd>
                        </div>
                      ))}
                    </dl>
                  ) : null}
                </span>
                <span className="badge" data-outcome={r.registrationStatus}>
                  {r.registrationStatus}
                </span>
              </li>
            ))}
          </ul>
        ) : registrations.status === "error" ? (
          <p className="error">{registrations.message}</p>
        ) : registrations.status === "loading" ? (
          <p className="hint">Loading…</p>
        ) : (
          <p className="hint" data-testid="no-registration">
            No registration: this tenant was not registered through the control plane&apos;s tenant registrations.
          </p>
        )}
      </section>

      <section className="card stack" aria-labelledby="audit-title">
        <h2 id="audit-title">Audit entries</h2>
        {audit.status === "ready" ? (
          audit.value.data.length > 0 ? (
            <>
              <AuditTable entries={audit.value.data} showTenant={false} nameOf={nameOf} />
              <p className="meta">
                {audit.value.next_start_key ? `The first ${audit.value.data.length}. ` : null}
                <Link href={`/admin/audit?tenantId=${t.tenantId}`}>All of this tenant&apos;s entries</Link>
              </p>
            </>
          ) : (
            <p className="hint">No audit entries yet.</p>
          )
        ) : audit.status === "missing" ? (
          <p className="hint" data-testid="audit-missing">
            This installation&apos;s API does not keep an audit log yet.
          </p>
        ) : audit.status === "error" ? (
          <p className="error">{audit.message}</p>
        ) : (
          <p className="hint">Loading…</p>
        )}
      </section>
    </>
  );
}
