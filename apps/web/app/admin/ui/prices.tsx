"use client";

import { Accordion, Autocomplete, Button, Code, Fieldset, Group, NumberInput, Paper, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useState, type FormEvent } from "react";
import { ApiProblem, describeError } from "../../../lib/browser-api";
import { controlPlane, PRICE_UNITS, when, type ModelPrices, type PriceUnit, type PriceVersion } from "../../../lib/control-plane";
import { ErrorBox, Notice } from "../../ui/form";
import { DotBadge } from "./badge";
import { classes, DataTable, Hint, Panel, Problem } from "./parts";
import { useOptional } from "./use-optional";

const price = (n: number | undefined) => (n === undefined ? "—" : `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`);

/** The version in force at a time: the newest whose effectiveFrom has come. */
export function inForce(versions: PriceVersion[], at: number = Date.now()): PriceVersion | undefined {
  return versions.filter((v) => Date.parse(v.effectiveFrom) <= at).sort((a, b) => b.version - a.version)[0];
}

/** A version's prices by model, as a table (cards on a narrow screen). */
function PriceTable({ version }: { version: PriceVersion }) {
  const models = Object.keys(version.prices).sort();
  const units = PRICE_UNITS.filter((u) => models.some((m) => version.prices[m]?.[u.id] !== undefined));
  if (models.length === 0) return <Hint>This version prices no model.</Hint>;
  return (
    <DataTable caption={`Prices of version ${version.version}, in US dollars`} data-testid={`prices-v${version.version}`}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Model</Table.Th>
          {units.map((u) => (
            <Table.Th scope="col" key={u.id} className={classes.num}>
              {u.label}{" "}
              <Text span display="block" size="xs" fw={400}>
                per {u.per}
              </Text>
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {models.map((m) => (
          <Table.Tr key={m} data-model={m}>
            <Table.Th scope="row">
              <Code>{m}</Code>
            </Table.Th>
            {units.map((u) => (
              <Table.Td key={u.id} data-label={`${u.label} /${u.per === "image" ? "image" : "1k"}`} className={classes.num}>
                <div className={classes.cell}>{price(version.prices[m]?.[u.id])}</div>
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </DataTable>
  );
}

/** The price table's versions, newest first, the one in force now marked and open. */
export function PriceVersions({ versions }: { versions: PriceVersion[] }) {
  const current = inForce(versions);
  const now = Date.now();
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  const stateOf = (v: PriceVersion) => (v === current ? "current" : Date.parse(v.effectiveFrom) > now ? "scheduled" : "past");
  return (
    <Accordion
      multiple
      variant="separated"
      radius="md"
      chevronPosition="left"
      // A new version opens the current and scheduled ones afresh.
      key={sorted.map((v) => v.version).join(",")}
      defaultValue={sorted.filter((v) => stateOf(v) !== "past").map((v) => String(v.version))}
      data-testid="price-versions"
    >
      {sorted.map((v) => {
        const state = stateOf(v);
        return (
          <Accordion.Item
            key={v.version}
            value={String(v.version)}
            data-state={state}
            data-testid="price-version"
            data-version={v.version}
            style={state === "current" ? { borderColor: "var(--mantine-color-green-filled)", borderWidth: 2 } : undefined}
          >
            <Accordion.Control>
              <Group gap="xs" wrap="wrap">
                <Text fw={700}>Version {v.version}</Text>
                {state === "current" ? (
                  <DotBadge color="green" testId="in-force">
                    In force now
                  </DotBadge>
                ) : state === "scheduled" ? (
                  <DotBadge color="blue">Scheduled</DotBadge>
                ) : (
                  <DotBadge color="gray">Superseded</DotBadge>
                )}
              </Group>
              <Text size="xs" c="dimmed">
                from {when(v.effectiveFrom)}
                {v.note ? ` · ${v.note}` : ""}
              </Text>
            </Accordion.Control>
            <Accordion.Panel>
              <PriceTable version={v} />
            </Accordion.Panel>
          </Accordion.Item>
        );
      })}
    </Accordion>
  );
}

type Row = { id: number; model: string };

/**
 * Adds a version: the models it names get these prices (the units left empty keep theirs), the
 * others carry over. From now unless a later time is given; never in the past (the API says why).
 */
export function AddPriceVersion({ current, onAdded }: { current: PriceVersion | undefined; onAdded: (version: PriceVersion) => void }) {
  const models = current ? Object.keys(current.prices).sort() : [];
  const [rows, setRows] = useState<Row[]>([{ id: 1, model: "" }]);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiProblem | undefined>();
  // Remounts the form after a version is added: its fields start empty again.
  const [generation, setGeneration] = useState(0);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const form = event.currentTarget;
    const values = new FormData(form);
    const prices: Record<string, ModelPrices> = {};
    for (const row of rows) {
      const model = String(values.get(`model-${row.id}`) ?? "").trim();
      if (!model) continue;
      const set: ModelPrices = {};
      for (const u of PRICE_UNITS) {
        const raw = String(values.get(`${u.id}-${row.id}`) ?? "").trim();
        if (raw !== "") set[u.id as PriceUnit] = Number(raw);
      }
      prices[model] = { ...prices[model], ...set };
    }
    const effective = String(values.get("effectiveFrom") ?? "");
    const note = String(values.get("note") ?? "").trim();
    if (Object.keys(prices).length === 0) {
      setError(new ApiProblem(0, "local", "Name at least one model and its prices."));
      return;
    }
    if (Object.values(prices).some((p) => Object.values(p).some((n) => !Number.isFinite(n) || n < 0))) {
      setError(new ApiProblem(0, "local", "Prices are amounts in US dollars, 0 or more."));
      return;
    }
    if (Object.values(prices).some((p) => Object.keys(p).length === 0)) {
      setError(new ApiProblem(0, "local", "Give each model named at least one price."));
      return;
    }
    setPending(true);
    setError(undefined);
    try {
      const version = await controlPlane.addPrices({ effectiveFrom: effective ? new Date(effective).toISOString() : undefined, note: note || undefined, prices });
      form.reset();
      setRows([{ id: 1, model: "" }]);
      setGeneration((g) => g + 1);
      onAdded(version);
    } catch (e) {
      setError(e instanceof ApiProblem ? e : new ApiProblem(0, "unknown", describeError(e)));
    } finally {
      setPending(false);
    }
  }

  return (
    <Paper withBorder radius="md" p={{ base: "md", sm: "lg" }} mb="lg" component="form" key={generation} onSubmit={submit} noValidate aria-labelledby="add-prices-title" data-testid="add-prices">
      <Stack gap="sm">
        <Title order={2} id="add-prices-title" size="h3">
          Add a version
        </Title>
        <Text size="sm" c="dimmed">
          Versions are never edited: the models named here get these prices from the time given (now if left empty), every other model and unit carries over. Prices are US dollars per 1,000 tokens, images per image.
        </Text>
        <div className={classes.fields}>
          <TextInput id="prices-effective" name="effectiveFrom" type="datetime-local" label="In force from" description="Your local time; empty: now. Never in the past." inputWrapperOrder={["label", "input", "description", "error"]} />
          <TextInput id="prices-note" name="note" label="Note" maxLength={300} autoComplete="off" placeholder="e.g. provider's new prices" />
        </div>
        {rows.map((row, index) => (
          <Fieldset key={row.id} legend={`Model ${rows.length > 1 ? index + 1 : ""}`.trim()} radius="md" p="sm" data-testid="price-row">
            <Stack gap="sm">
              <Autocomplete
                id={`model-${row.id}`}
                name={`model-${row.id}`}
                label="Model id"
                autoComplete="off"
                data={models}
                value={row.model}
                onChange={(value) => setRows((all) => all.map((r) => (r.id === row.id ? { ...r, model: value } : r)))}
                maw={512}
              />
              <div className={classes.unitFields}>
                {PRICE_UNITS.map((u) => {
                  const now = current?.prices[row.model.trim()]?.[u.id];
                  return (
                    <NumberInput
                      key={u.id}
                      id={`${u.id}-${row.id}`}
                      name={`${u.id}-${row.id}`}
                      label={
                        <>
                          {u.label}{" "}
                          <Text span size="xs" c="dimmed">
                            USD / {u.per}
                          </Text>
                        </>
                      }
                      min={0}
                      max={1000}
                      allowNegative={false}
                      hideControls
                      inputMode="decimal"
                      placeholder={now === undefined ? "" : `now ${now}`}
                    />
                  );
                })}
              </div>
              {rows.length > 1 ? (
                <Group>
                  <Button type="button" variant="subtle" color="red" className={classes.danger} size="compact-sm" leftSection={<IconTrash size={14} aria-hidden />} onClick={() => setRows((all) => all.filter((r) => r.id !== row.id))}>
                    Remove this model
                  </Button>
                </Group>
              ) : null}
            </Stack>
          </Fieldset>
        ))}
        <Group>
          <Button type="button" variant="default" size="xs" leftSection={<IconPlus size={14} aria-hidden />} onClick={() => setRows((all) => [...all, { id: Math.max(...all.map((r) => r.id)) + 1, model: "" }])}>
            Add another model
          </Button>
        </Group>
        <ErrorBox error={error} />
        <Group>
          <Button type="submit" loading={pending}>
            Add version
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** The price table's versions and adding one. */
export function PricesPanel() {
  const versions = useOptional(() => controlPlane.prices(), []);
  const [note, setNote] = useState<string | undefined>();
  const list = versions.status === "ready" ? versions.value : [];
  return (
    <>
      {note ? <Notice testId="prices-note">{note}</Notice> : null}
      <Panel id="versions-title" title="Versions">
        {versions.status === "ready" ? (
          list.length > 0 ? (
            <PriceVersions versions={list} />
          ) : (
            <Hint>No versions yet.</Hint>
          )
        ) : versions.status === "error" ? (
          <Problem>{versions.message}</Problem>
        ) : versions.status === "missing" ? (
          <Hint>This installation&apos;s API has no price table yet.</Hint>
        ) : (
          <Hint>Loading…</Hint>
        )}
      </Panel>
      {versions.status === "ready" ? (
        <AddPriceVersion
          current={inForce(list)}
          onAdded={(v) => {
            setNote(`Version ${v.version} is added${Date.parse(v.effectiveFrom) > Date.now() + 60_000 ? `; it takes effect ${when(v.effectiveFrom)}` : " and in force now"}.`);
            versions.reload();
          }}
        />
      ) : null}
    </>
  );
}
