"use client";

import { useState } from "react";
import { Notice } from "../ui/form";
import { RegisterTenantForm } from "./ui/register-tenant";
import { TenantTable } from "./ui/tenant-table";
import { useTenants } from "./ui/use-tenants";

/** Operators: every tenant with its status and what can be done with it, and registration. */
export default function TenantsPage() {
  const list = useTenants();
  const [note, setNote] = useState<string | undefined>();
  return (
    <>
      <h1>Tenants</h1>
      <p className="lead">Every organisation of this installation, as the control plane runs it.</p>
      {note ? <Notice testId="admin-note">{note}</Notice> : null}
      <section className="card stack" aria-labelledby="tenants-title">
        <h2 id="tenants-title">All tenants</h2>
        {list.error ? (
          <p className="error" role="alert">
            {list.error}
          </p>
        ) : null}
        {list.tenants.length > 0 ? (
          <TenantTable
            tenants={list.tenants}
            onChanged={(tenant, text) => {
              list.replace(tenant);
              setNote(text);
            }}
          />
        ) : !list.loading && !list.error ? (
          <p className="hint">No tenants yet. Register the first one below.</p>
        ) : null}
        {list.loading ? <p className="hint">Loading…</p> : null}
        {list.hasMore && !list.loading ? (
          <div>
            <button type="button" className="secondary" onClick={list.loadMore} data-testid="load-more">
              Load more
            </button>
          </div>
        ) : null}
      </section>
      <RegisterTenantForm
        onRegistered={(tenant) => {
          list.add(tenant);
          setNote(`${tenant.tenantName} is registered and being provisioned; ${tenant.email ?? "its owner"} gets an invitation by mail.`);
        }}
      />
    </>
  );
}
