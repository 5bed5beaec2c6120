import { Anchor, Code, Table, Text } from "@mantine/core";
import Link from "next/link";
import { when, type AuditEntry } from "../../../lib/control-plane";
import { OutcomeBadge } from "./badge";
import { classes, DataTable, Disclosure, Hint } from "./parts";

/** Audit entries as a table; on a narrow screen each entry is a card. */
export function AuditTable({ entries, showTenant, nameOf }: { entries: AuditEntry[]; showTenant: boolean; nameOf: (kind: string, id: string) => string | undefined }) {
  return (
    <DataTable caption="Audit entries" data-testid="audit-entries">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Time</Table.Th>
          {showTenant ? <Table.Th scope="col">Tenant</Table.Th> : null}
          <Table.Th scope="col">Action</Table.Th>
          <Table.Th scope="col">Actor</Table.Th>
          <Table.Th scope="col">Outcome</Table.Th>
          <Table.Th scope="col">Details</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {entries.map((e) => {
          const details = e.details && Object.keys(e.details).length > 0 ? e.details : undefined;
          const about = [e.actor.kind !== e.actor.id || e.actor.email ? e.actor.kind : "", e.address ? `from ${e.address}` : ""].filter(Boolean).join(" · ");
          return (
            <Table.Tr key={e.id}>
              <Table.Td data-label="Time">
                <div className={classes.cell}>
                  <time dateTime={e.at}>{when(e.at)}</time>
                </div>
              </Table.Td>
              {showTenant ? (
                <Table.Td data-label="Tenant">
                  <div className={classes.cell}>
                    {e.tenantId === "system" ? (
                      <Hint>system</Hint>
                    ) : (
                      <Anchor component={Link} href={`/admin/tenants/${e.tenantId}`} size="sm" ff="monospace" underline="always">
                        {e.tenantId}
                      </Anchor>
                    )}
                  </div>
                </Table.Td>
              ) : null}
              <Table.Td data-label="Action">
                <div className={classes.cell}>
                  <Code>{e.action}</Code>
                  {e.target ? (
                    <Text size="xs" c="dimmed">
                      {e.target.type} {e.target.id}
                    </Text>
                  ) : null}
                </div>
              </Table.Td>
              <Table.Td data-label="Actor">
                <div className={classes.cell}>
                  {e.actor.email ?? nameOf(e.actor.kind, e.actor.id) ?? <Code>{e.actor.id}</Code>}
                  {about ? (
                    <Text size="xs" c="dimmed">
                      {about}
                    </Text>
                  ) : null}
                </div>
              </Table.Td>
              <Table.Td data-label="Outcome">
                <div className={classes.cell}>
                  <OutcomeBadge outcome={e.outcome} />
                </div>
              </Table.Td>
              <Table.Td data-label="Details">
                <div className={classes.cell}>
                  {details ? (
                    <Disclosure label={`Entry #${e.seq}`}>
                      <dl className={classes.pairs}>
                        {Object.entries(details).map(([k, v]) => (
                          <div key={k}>
                            <dt>{k}</dt>
                            <dd>{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
                          </div>
                        ))}
                      </dl>
                    </Disclosure>
                  ) : (
                    <Hint>Entry #{e.seq}</Hint>
                  )}
                </div>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </DataTable>
  );
}
