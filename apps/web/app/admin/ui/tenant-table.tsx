"use client";

import { Anchor, Stack, Table, Text } from "@mantine/core";
import Link from "next/link";
import { day, type Tenant } from "../../../lib/control-plane";
import { StatusBadge } from "./badge";
import { classes, DataTable } from "./parts";
import { TenantActions } from "./tenant-actions";

/** Tenants as a table; on a narrow screen each row is a card. */
export function TenantTable({ tenants, onChanged }: { tenants: Tenant[]; onChanged: (tenant: Tenant, note: string) => void }) {
  return (
    <DataTable caption="Tenants" data-testid="tenants">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Name</Table.Th>
          <Table.Th scope="col">Status</Table.Th>
          <Table.Th scope="col">Tier</Table.Th>
          <Table.Th scope="col">Owner</Table.Th>
          <Table.Th scope="col">Created</Table.Th>
          <Table.Th scope="col">Actions</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {tenants.map((t) => (
          <Table.Tr key={t.tenantId} data-testid="tenant-row" data-tenant={t.tenantName}>
            <Table.Th scope="row">
              <Anchor component={Link} href={`/admin/tenants/${t.tenantId}`} fw={600} underline="always">
                {t.tenantName}
              </Anchor>
              <Text size="xs" c="dimmed">
                {t.slug}
              </Text>
            </Table.Th>
            <Table.Td data-label="Status">
              <Stack gap={4} className={classes.cell} align="flex-start">
                <StatusBadge status={t.status} />
                {t.failure ? (
                  <Text size="xs" c="red" data-testid="failure-reason">
                    {t.failure.reason}
                  </Text>
                ) : null}
              </Stack>
            </Table.Td>
            <Table.Td data-label="Tier">
              <div className={classes.cell}>{t.tier}</div>
            </Table.Td>
            <Table.Td data-label="Owner">
              <div className={classes.cell}>{t.email ?? "—"}</div>
            </Table.Td>
            <Table.Td data-label="Created" className={classes.tight}>
              <div className={classes.cell}>{day(t.createdAt)}</div>
            </Table.Td>
            <Table.Td data-label="Actions">
              <div className={classes.cell}>
                <TenantActions tenant={t} onChanged={onChanged} />
              </div>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </DataTable>
  );
}
