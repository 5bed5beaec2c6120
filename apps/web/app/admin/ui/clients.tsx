"use client";

import { Badge, Button, Checkbox, Code, Fieldset, Group, Stack, Table, Text, Title } from "@mantine/core";
import { IconTrash } from "@tabler/icons-react";
import { useState, type FormEvent } from "react";
import { ApiProblem, describeError } from "../../../lib/browser-api";
import { controlPlane, day, SCOPES, type Client } from "../../../lib/control-plane";
import { confirmAction } from "../../ui/confirm";
import { ErrorBox, Field, Notice } from "../../ui/form";
import { SecretOnce } from "./copy";
import { classes, CopyId, DataTable, Hint, Panel, Problem } from "./parts";
import { useOptional } from "./use-optional";

/** Client credentials for scripts (OAuth 2.0 client credentials): create one, see its secret once, revoke. */
export function ClientsPanel() {
  const clients = useOptional(() => controlPlane.clients(), []);
  const [created, setCreated] = useState<{ clientId: string; clientSecret: string } | undefined>();
  const [note, setNote] = useState<string | undefined>();
  const [pending, setPending] = useState(false);
  const [revoking, setRevoking] = useState<string | undefined>();
  const [revokeError, setRevokeError] = useState<string | undefined>();
  const [createError, setCreateError] = useState<ApiProblem | undefined>();

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const form = event.currentTarget;
    const values = new FormData(form);
    setPending(true);
    setCreateError(undefined);
    try {
      const client = await controlPlane.createClient({ name: String(values.get("name") ?? ""), scopes: values.getAll("scopes").map(String) });
      setCreated({ clientId: client.clientId, clientSecret: client.clientSecret });
      setNote(undefined);
      form.reset();
      clients.reload();
    } catch (e) {
      setCreateError(e instanceof ApiProblem ? e : new ApiProblem(0, "unknown", describeError(e)));
    } finally {
      setPending(false);
    }
  }

  async function revoke(client: Client) {
    const ok = await confirmAction({
      title: `Revoke “${client.name}”?`,
      body: "Scripts using it get no new tokens, and the tokens they hold stop working at once. This cannot be undone.",
      confirmLabel: "Revoke client",
    });
    if (!ok) return;
    setRevoking(client.clientId);
    setRevokeError(undefined);
    try {
      await controlPlane.revokeClient(client.clientId);
      setNote(`The client “${client.name}” is revoked: its tokens stop working now.`);
      clients.reload();
    } catch (e) {
      setRevokeError(describeError(e));
    } finally {
      setRevoking(undefined);
    }
  }

  const scopeIssue = createError?.issues.find((i) => i.name === "scopes" || i.name.startsWith("scopes"))?.message;
  return (
    <Panel id="clients-title" title="Client credentials" testId="clients-panel" description="For scripts: they trade a client's id and secret for a short-lived token at /control-plane/oauth/token.">
      {note ? <Notice testId="clients-note">{note}</Notice> : null}
      {revokeError ? <Problem>{revokeError}</Problem> : null}
      {created ? (
        <>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" style={{ minWidth: 0, overflowWrap: "anywhere" }}>
              Client id: <Code data-testid="client-id">{created.clientId}</Code>
            </Text>
            <CopyId value={created.clientId} label="the client id" testId="copy-client-id" />
          </Group>
          <SecretOnce label="client secret" secret={created.clientSecret} onDismiss={() => setCreated(undefined)} testId="secret-once" />
        </>
      ) : null}
      {clients.status === "ready" ? (
        clients.value.length > 0 ? (
          <DataTable caption="Clients" data-testid="clients">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Client id</Table.Th>
                <Table.Th scope="col">Scopes</Table.Th>
                <Table.Th scope="col">Created</Table.Th>
                <Table.Th scope="col">Last used</Table.Th>
                <Table.Th scope="col">Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {clients.value.map((c) => (
                <Table.Tr key={c.clientId} data-revoked={c.revoked || undefined}>
                  <Table.Th scope="row">{c.name}</Table.Th>
                  <Table.Td data-label="Client id">
                    <div className={classes.cell}>
                      <Code>{c.clientId}</Code>
                    </div>
                  </Table.Td>
                  <Table.Td data-label="Scopes">
                    <Group gap={6} className={classes.cell}>
                      {c.scopes.map((s) => (
                        <Code key={s}>{s}</Code>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td data-label="Created" className={classes.tight}>
                    <div className={classes.cell}>{day(c.createdAt)}</div>
                  </Table.Td>
                  <Table.Td data-label="Last used" className={classes.tight}>
                    <div className={classes.cell}>{c.lastUsedAt ? day(c.lastUsedAt) : "never"}</div>
                  </Table.Td>
                  <Table.Td data-label="Actions">
                    <div className={classes.cell}>
                      {c.revoked ? (
                        <Badge variant="default" radius="xl" tt="none">
                          Revoked
                        </Badge>
                      ) : (
                        <Button
                          type="button"
                          variant="subtle"
                          color="red"
                          className={classes.danger}
                          size="compact-sm"
                          leftSection={<IconTrash size={14} aria-hidden />}
                          loading={revoking === c.clientId}
                          onClick={() => void revoke(c)}
                          aria-label={`Revoke ${c.name}`}
                        >
                          Revoke
                        </Button>
                      )}
                    </div>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </DataTable>
        ) : (
          <Hint>No clients yet.</Hint>
        )
      ) : clients.status === "error" ? (
        <Problem>{clients.message}</Problem>
      ) : clients.status === "missing" ? (
        <Hint>This installation&apos;s API has no client credentials yet.</Hint>
      ) : (
        <Hint>Loading…</Hint>
      )}

      <form onSubmit={create} noValidate aria-label="Create a client" data-testid="create-client">
        <Stack gap="sm">
          <Title order={3} size="h4" mt="sm">
            New client
          </Title>
          <Field name="name" label="Client name" error={createError} hint="What uses it, e.g. the onboarding script" />
          <Fieldset legend="Scopes" aria-describedby={scopeIssue ? "scopes-issue" : undefined} variant="default" radius="md" p="sm">
            <div className={classes.scopes}>
              {SCOPES.map((s) => (
                <Checkbox
                  key={s.id}
                  name="scopes"
                  value={s.id}
                  label={
                    <>
                      <Code>{s.id}</Code>{" "}
                      <Text span size="xs" c="dimmed">
                        {s.label}
                      </Text>
                    </>
                  }
                />
              ))}
            </div>
            {scopeIssue ? (
              <Text size="xs" c="red" id="scopes-issue" mt="xs">
                {scopeIssue}
              </Text>
            ) : null}
          </Fieldset>
          <ErrorBox error={createError} />
          <Group>
            <Button type="submit" loading={pending}>
              Create client
            </Button>
          </Group>
        </Stack>
      </form>
    </Panel>
  );
}
