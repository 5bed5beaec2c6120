"use client";

import { Button, Group } from "@mantine/core";
import { useState } from "react";
import { Notice } from "../ui/form";
import { Hint, PageTitle, Panel, Problem } from "./ui/parts";
import { RegisterTenantForm } from "./ui/register-tenant";
import { TenantTable } from "./ui/tenant-table";
import { useTenants } from "./ui/use-tenants";

/** Operators: every tenant with its status and what can be done with it, and registration. */
export default function TenantsPage() {
  const list = useTenants();
  const [note, setNote] = useState<string | undefined>();
  return (
    <>
      <PageTitle title="Tenants" lead="Every organisation of this installation, as the control plane runs it." />
      {note ? <Notice testId="admin-note">{note}</Notice> : null}
      <Panel id="tenants-title" title="All tenants">
        {list.error ? <Problem>{list.error}</Problem> : null}
        {list.tenants.length > 0 ? (
          <TenantTable
            tenants={list.tenants}
            onChanged={(tenant, text) => {
              list.replace(tenant);
              setNote(text);
            }}
          />
        ) : !list.loading && !list.error ? (
          <Hint>No tenants yet. Register the first one below.</Hint>
        ) : null}
        {list.loading ? <Hint>Loading…</Hint> : null}
        {list.hasMore && !list.loading ? (
          <Group>
            <Button type="button" variant="default" onClick={list.loadMore} data-testid="load-more">
              Load more
            </Button>
          </Group>
        ) : null}
      </Panel>
      <RegisterTenantForm
        onRegistered={(tenant) => {
          list.add(tenant);
          setNote(`${tenant.tenantName} is registered and being provisioned; ${tenant.email ?? "its owner"} gets an invitation by mail.`);
        }}
      />
    </>
  );
}
