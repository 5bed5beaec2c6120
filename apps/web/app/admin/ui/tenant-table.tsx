"use client";

import Link from "next/link";
import { day, type Tenant } from "../../../lib/control-plane";
import { StatusBadge } from "./badge";
import { TenantActions } from "./tenant-actions";

/** Tenants as a table; on a narrow screen each row is a card (globals.css: table.data). */
export function TenantTable({ tenants, onChanged }: { tenants: Tenant[]; onChanged: (tenant: Tenant, note: string) => void }) {
  return (
    <table className="data" data-testid="tenants">
      <caption className="visually-hidden">Tenants</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col">Tier</th>
          <th scope="col">Owner</th>
          <th scope="col">Created</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {tenants.map((t) => (
          <tr key={t.tenantId} data-testid="tenant-row" data-tenant={t.tenantName}>
            <th scope="row" data-label="Name">
              <Link href={`/admin/tenants/${t.tenantId}`}>{t.tenantName}</Link>
              <small className="hint block">{t.slug}</small>
            </th>
            <td data-label="Status">
              <span>
                <StatusBadge status={t.status} />
                {t.failure ? <small className="reason block">{t.failure.reason}</small> : null}
              </span>
            </td>
            <td data-label="Tier">{t.tier}</td>
            <td data-label="Owner">{t.email ?? "—"}</td>
            <td data-label="Created">{day(t.createdAt)}</td>
            <td data-label="Actions">
              <TenantActions tenant={t} onChanged={onChanged} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
