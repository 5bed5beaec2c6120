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
            <th scope="row">
              <Link href={`/admin/tenants/${t.tenantId}`}>{t.tenantName}</Link>
              <small className="hint block">{t.slug}</small>
            </th>
            <td data-label="Status">
              <div className="cell">
                <StatusBadge status={t.status} />
                {t.failure ? (
                  <small className="reason block" data-testid="failure-reason">
                    {t.failure.reason}
                  </small>
                ) : null}
              </div>
            </td>
            <td data-label="Tier">
              <div className="cell">{t.tier}</div>
            </td>
            <td data-label="Owner">
              <div className="cell">{t.email ?? "—"}</div>
            </td>
            <td data-label="Created">
              <div className="cell">{day(t.createdAt)}</div>
            </td>
            <td data-label="Actions">
              <div className="cell">
                <TenantActions tenant={t} onChanged={onChanged} />
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
