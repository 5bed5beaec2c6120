"use client";

import { Button, Code, Group, Modal, NativeSelect, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { IconPencil, IconTrash } from "@tabler/icons-react";
import { useEffect, useState, type FormEvent } from "react";
import { ApiProblem, describeError } from "../../../lib/browser-api";
import { AGGREGATIONS, controlPlane, day, type Aggregation, type Meter } from "../../../lib/control-plane";
import { confirmAction } from "../../ui/confirm";
import { ErrorBox, Field, Notice } from "../../ui/form";
import { DotBadge } from "./badge";
import { classes, DataTable, Hint, Panel, Problem } from "./parts";
import { useOptional } from "./use-optional";

const AGGREGATION_HINT: Record<Aggregation, string> = {
  sum: "sum: adds the events' values",
  count: "count: counts the events",
  max: "max: the largest value",
};

const asProblem = (e: unknown) => (e instanceof ApiProblem ? e : new ApiProblem(0, "unknown", describeError(e)));
const text = (values: FormData, name: string) => String(values.get(name) ?? "").trim();

function AggregationSelect({ id, defaultValue }: { id: string; defaultValue?: Aggregation }) {
  return <NativeSelect id={id} name="aggregation" label="Aggregation" defaultValue={defaultValue ?? "sum"} data={AGGREGATIONS.map((a) => ({ value: a, label: AGGREGATION_HINT[a] }))} />;
}

/** The meters: Tandem's own (fixed) and the operators', with creating, editing and deleting. */
export function MetersPanel() {
  const meters = useOptional(() => controlPlane.meters(), []);
  const [note, setNote] = useState<string | undefined>();
  const [editing, setEditing] = useState<Meter | undefined>();
  const [pending, setPending] = useState(false);
  const [deleting, setDeleting] = useState<string | undefined>();
  const [deleteError, setDeleteError] = useState<string | undefined>();
  const [createError, setCreateError] = useState<ApiProblem | undefined>();

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const form = event.currentTarget;
    const values = new FormData(form);
    setPending(true);
    setCreateError(undefined);
    try {
      const meter = await controlPlane.createMeter({
        meterApiName: text(values, "meterApiName"),
        displayName: text(values, "displayName"),
        description: text(values, "description") || undefined,
        unit: text(values, "unit") || undefined,
        aggregation: (text(values, "aggregation") || undefined) as Aggregation | undefined,
      });
      form.reset();
      setNote(`The meter “${meter.displayName}” is created: usage events name it as ${meter.meterApiName}.`);
      meters.reload();
    } catch (e) {
      setCreateError(asProblem(e));
    } finally {
      setPending(false);
    }
  }

  async function remove(meter: Meter) {
    const ok = await confirmAction({
      title: `Delete the meter “${meter.displayName}”?`,
      body: (
        <Text size="sm">
          Usage events naming <Code>{meter.meterApiName}</Code> are refused from now on. What it counted stays in the usage records.
        </Text>
      ),
      confirmLabel: "Delete meter",
    });
    if (!ok) return;
    setDeleting(meter.meterId);
    setDeleteError(undefined);
    try {
      await controlPlane.deleteMeter(meter.meterId);
      setNote(`The meter “${meter.displayName}” is deleted. The usage it counted stays.`);
      meters.reload();
    } catch (e) {
      setDeleteError(describeError(e));
    } finally {
      setDeleting(undefined);
    }
  }

  return (
    <>
      {note ? <Notice testId="meters-note">{note}</Notice> : null}
      <Panel id="meters-title" title="All meters">
        {deleteError ? <Problem>{deleteError}</Problem> : null}
        {meters.status === "ready" ? (
          <DataTable caption="Meters" wideLabels data-testid="meters">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Meter</Table.Th>
                <Table.Th scope="col">API name</Table.Th>
                <Table.Th scope="col" className={classes.tight}>
                  Aggregation
                </Table.Th>
                <Table.Th scope="col" className={classes.tight}>
                  Unit
                </Table.Th>
                <Table.Th scope="col">Description</Table.Th>
                <Table.Th scope="col">Created</Table.Th>
                <Table.Th scope="col">Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {meters.value.map((m) => (
                <Table.Tr key={m.meterId} data-testid="meter-row" data-meter={m.meterApiName}>
                  <Table.Th scope="row">{m.displayName}</Table.Th>
                  <Table.Td data-label="API name">
                    <div className={classes.cell}>
                      <Code style={{ overflowWrap: "break-word" }}>{m.meterApiName}</Code>
                    </div>
                  </Table.Td>
                  <Table.Td data-label="Aggregation" className={classes.tight}>
                    <div className={classes.cell}>{m.aggregation}</div>
                  </Table.Td>
                  <Table.Td data-label="Unit" className={classes.tight}>
                    <div className={classes.cell}>{m.unit}</div>
                  </Table.Td>
                  <Table.Td data-label="Description">
                    <div className={classes.cell}>{m.description || <Hint>—</Hint>}</div>
                  </Table.Td>
                  <Table.Td data-label="Created" className={classes.tight}>
                    <div className={classes.cell}>{day(m.createdAt)}</div>
                  </Table.Td>
                  <Table.Td data-label="Actions">
                    <div className={classes.cell}>
                      {m.builtIn ? (
                        <DotBadge color="gray" title="Tandem's own meter: fed by the app, it cannot be changed or deleted" testId="meter-fixed">
                          Built in · fixed
                        </DotBadge>
                      ) : (
                        <Group gap="xs">
                          <Button type="button" variant="default" size="compact-sm" leftSection={<IconPencil size={14} aria-hidden />} onClick={() => setEditing(m)} aria-label={`Edit ${m.displayName}`}>
                            Edit
                          </Button>
                          <Button
                            type="button"
                            variant="subtle"
                            color="red"
                            className={classes.danger}
                            size="compact-sm"
                            leftSection={<IconTrash size={14} aria-hidden />}
                            loading={deleting === m.meterId}
                            onClick={() => void remove(m)}
                            aria-label={`Delete ${m.displayName}`}
                          >
                            Delete
                          </Button>
                        </Group>
                      )}
                    </div>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </DataTable>
        ) : meters.status === "error" ? (
          <Problem>{meters.message}</Problem>
        ) : meters.status === "missing" ? (
          <Hint testId="meters-missing">This installation&apos;s API has no meters yet.</Hint>
        ) : (
          <Hint>Loading…</Hint>
        )}
      </Panel>

      {meters.status !== "missing" ? (
        <Paper withBorder radius="md" p={{ base: "md", sm: "lg" }} mb="lg" component="form" onSubmit={create} noValidate aria-labelledby="create-meter-title" data-testid="create-meter">
          <Stack gap="sm">
            <Title order={2} id="create-meter-title" size="h3">
              Create a meter
            </Title>
            <Text size="sm" c="dimmed">
              For your application plane&apos;s events: they name the meter by its API name, which cannot change later.
            </Text>
            <div className={classes.fields}>
              <Field name="meterApiName" label="API name" autoComplete="off" error={createError} hint="Lower-case letters, digits, _ and -, starting with a letter." />
              <Field name="displayName" label="Display name" autoComplete="off" error={createError} />
              <Field name="unit" label="Unit" autoComplete="off" required={false} error={createError} hint="What one counts, e.g. requests (units if left empty)." />
              <AggregationSelect id="field-aggregation" />
            </div>
            <Field name="description" label="Description" autoComplete="off" required={false} error={createError} />
            <ErrorBox error={createError} />
            <Group>
              <Button type="submit" loading={pending}>
                Create meter
              </Button>
            </Group>
          </Stack>
        </Paper>
      ) : null}

      <EditMeterDialog
        meter={editing}
        onCancel={() => setEditing(undefined)}
        onSaved={(meter) => {
          setEditing(undefined);
          setNote(`The meter “${meter.displayName}” is saved.`);
          meters.reload();
        }}
      />
    </>
  );
}

/** Changes a meter's display name, description, unit and aggregation (never its API name), in a modal dialog. */
function EditMeterDialog({ meter, onCancel, onSaved }: { meter: Meter | undefined; onCancel: () => void; onSaved: (meter: Meter) => void }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiProblem | undefined>();
  // The last meter stays shown while the dialog fades out.
  const [shown, setShown] = useState<Meter | undefined>(meter);
  useEffect(() => {
    if (meter) {
      setShown(meter);
      setError(undefined);
    }
  }, [meter]);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!meter || pending) return;
    const values = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    try {
      onSaved(
        await controlPlane.updateMeter(meter.meterId, {
          displayName: text(values, "displayName"),
          description: text(values, "description"),
          unit: text(values, "unit") || undefined,
          aggregation: text(values, "aggregation") as Aggregation,
        }),
      );
    } catch (e) {
      setError(asProblem(e));
    } finally {
      setPending(false);
    }
  }

  return (
    <Modal opened={meter !== undefined} onClose={onCancel} title={shown ? `Edit “${shown.displayName}”` : "Edit meter"} closeButtonProps={{ "aria-label": "Close" }} styles={{ title: { fontWeight: 700, overflowWrap: "anywhere" } }}>
      {shown ? (
        <form onSubmit={save} noValidate key={shown.meterId} data-testid="edit-meter">
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              API name <Code>{shown.meterApiName}</Code> (it cannot change: usage events name it).
            </Text>
            <Field id="edit-displayName" name="displayName" label="Display name" defaultValue={shown.displayName} autoComplete="off" error={error} />
            <Field id="edit-description" name="description" label="Description" defaultValue={shown.description} autoComplete="off" required={false} error={error} />
            <Field id="edit-unit" name="unit" label="Unit" defaultValue={shown.unit} autoComplete="off" required={false} error={error} />
            <AggregationSelect id="field-edit-aggregation" defaultValue={shown.aggregation} />
            <Hint>A new aggregation applies to the usage already counted too: it is applied when usage is read.</Hint>
            <ErrorBox error={error} />
            <Group justify="flex-end" gap="sm">
              <Button type="button" variant="default" onClick={onCancel} disabled={pending}>
                Cancel
              </Button>
              <Button type="submit" loading={pending}>
                Save meter
              </Button>
            </Group>
          </Stack>
        </form>
      ) : null}
    </Modal>
  );
}
