"use client";

import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiProblem, describeError } from "../../../lib/browser-api";
import { AGGREGATIONS, controlPlane, day, type Aggregation, type Meter } from "../../../lib/control-plane";
import { ErrorBox, Field, Notice } from "../../ui/form";
import { ConfirmDialog } from "./confirm";
import { useOptional } from "./use-optional";

const AGGREGATION_HINT: Record<Aggregation, string> = {
  sum: "sum: adds the events' values",
  count: "count: counts the events",
  max: "max: the largest value",
};

const asProblem = (e: unknown) => (e instanceof ApiProblem ? e : new ApiProblem(0, "unknown", describeError(e)));
const text = (values: FormData, name: string) => String(values.get(name) ?? "").trim();

function AggregationSelect({ id, defaultValue }: { id: string; defaultValue?: Aggregation }) {
  return (
    <label className="field" htmlFor={id}>
      <span>Aggregation</span>
      <select id={id} name="aggregation" defaultValue={defaultValue ?? "sum"}>
        {AGGREGATIONS.map((a) => (
          <option key={a} value={a}>
            {AGGREGATION_HINT[a]}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The meters: Tandem's own (fixed) and the operators', with creating, editing and deleting. */
export function MetersPanel() {
  const meters = useOptional(() => controlPlane.meters(), []);
  const [note, setNote] = useState<string | undefined>();
  const [editing, setEditing] = useState<Meter | undefined>();
  const [deleting, setDeleting] = useState<Meter | undefined>();
  const [pending, setPending] = useState(false);
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
    setPending(true);
    setDeleteError(undefined);
    try {
      await controlPlane.deleteMeter(meter.meterId);
      setDeleting(undefined);
      setNote(`The meter “${meter.displayName}” is deleted. The usage it counted stays.`);
      meters.reload();
    } catch (e) {
      setDeleteError(describeError(e));
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      {note ? <Notice testId="meters-note">{note}</Notice> : null}
      <section className="card stack" aria-labelledby="meters-title">
        <h2 id="meters-title">All meters</h2>
        {meters.status === "ready" ? (
          <table className="data meters wide-labels" data-testid="meters">
            <caption className="visually-hidden">Meters</caption>
            <thead>
              <tr>
                <th scope="col">Meter</th>
                <th scope="col">API name</th>
                <th scope="col" className="tight">
                  Aggregation
                </th>
                <th scope="col" className="tight">
                  Unit
                </th>
                <th scope="col">Description</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {meters.value.map((m) => (
                <tr key={m.meterId} data-testid="meter-row" data-meter={m.meterApiName}>
                  <th scope="row">{m.displayName}</th>
                  <td data-label="API name">
                    <div className="cell">
                      <code>{m.meterApiName}</code>
                    </div>
                  </td>
                  <td data-label="Aggregation" className="tight">
                    <div className="cell">{m.aggregation}</div>
                  </td>
                  <td data-label="Unit" className="tight">
                    <div className="cell">{m.unit}</div>
                  </td>
                  <td data-label="Description">
                    <div className="cell">{m.description || <span className="hint">—</span>}</div>
                  </td>
                  <td data-label="Created" className="tight">
                    <div className="cell">{day(m.createdAt)}</div>
                  </td>
                  <td data-label="Actions">
                    <div className="cell">
                      {m.builtIn ? (
                        <span className="badge" title="Tandem's own meter: fed by the app, it cannot be changed or deleted" data-testid="meter-fixed">
                          Built in · fixed
                        </span>
                      ) : (
                        <div className="actions wrap">
                          <button type="button" className="small secondary" onClick={() => setEditing(m)} aria-label={`Edit ${m.displayName}`}>
                            Edit
                          </button>
                          <button type="button" className="small danger" onClick={() => setDeleting(m)} aria-label={`Delete ${m.displayName}`}>
                            Delete
                          </button>
                        </div>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : meters.status === "error" ? (
          <p className="error" role="alert">
            {meters.message}
          </p>
        ) : meters.status === "missing" ? (
          <p className="hint" data-testid="meters-missing">
            This installation&apos;s API has no meters yet.
          </p>
        ) : (
          <p className="hint">Loading…</p>
        )}
      </section>

      {meters.status !== "missing" ? (
        <form className="card stack" onSubmit={create} noValidate aria-labelledby="create-meter-title" data-testid="create-meter">
          <h2 id="create-meter-title">Create a meter</h2>
          <p className="meta">For your application plane&apos;s events: they name the meter by its API name, which cannot change later.</p>
          <div className="fields">
            <Field name="meterApiName" label="API name" autoComplete="off" error={createError} hint="Lower-case letters, digits, _ and -, starting with a letter." />
            <Field name="displayName" label="Display name" autoComplete="off" error={createError} />
            <Field name="unit" label="Unit" autoComplete="off" required={false} error={createError} hint="What one counts, e.g. requests (units if left empty)." />
            <AggregationSelect id="field-aggregation" />
          </div>
          <Field name="description" label="Description" autoComplete="off" required={false} error={createError} />
          <ErrorBox error={createError} />
          <div>
            <button type="submit" disabled={pending}>
              {pending && !deleting ? "Creating…" : "Create meter"}
            </button>
          </div>
        </form>
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
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete the meter “${deleting?.displayName ?? ""}”?`}
        confirmLabel="Delete meter"
        pending={pending}
        error={deleteError}
        onConfirm={() => deleting && void remove(deleting)}
        onCancel={() => {
          setDeleting(undefined);
          setDeleteError(undefined);
        }}
      >
        <p>
          Usage events naming <code>{deleting?.meterApiName}</code> are refused from now on. What it counted stays in the usage records.
        </p>
      </ConfirmDialog>
    </>
  );
}

/** Changes a meter's display name, description, unit and aggregation (never its API name), in a modal dialog. */
function EditMeterDialog({ meter, onCancel, onSaved }: { meter: Meter | undefined; onCancel: () => void; onSaved: (meter: Meter) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiProblem | undefined>();
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (meter && !d.open) {
      setError(undefined);
      d.showModal();
    } else if (!meter && d.open) d.close();
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
    <dialog
      ref={dialog}
      className="confirm"
      aria-labelledby="edit-meter-title"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
      data-testid="edit-meter"
    >
      {meter ? (
        <form className="stack" onSubmit={save} noValidate key={meter.meterId}>
          <h2 id="edit-meter-title">Edit “{meter.displayName}”</h2>
          <p className="hint">
            API name <code>{meter.meterApiName}</code> (it cannot change: usage events name it).
          </p>
          <Field id="edit-displayName" name="displayName" label="Display name" defaultValue={meter.displayName} autoComplete="off" error={error} />
          <Field id="edit-description" name="description" label="Description" defaultValue={meter.description} autoComplete="off" required={false} error={error} />
          <Field id="edit-unit" name="unit" label="Unit" defaultValue={meter.unit} autoComplete="off" required={false} error={error} />
          <AggregationSelect id="field-edit-aggregation" defaultValue={meter.aggregation} />
          <small className="hint">A new aggregation applies to the usage already counted too: it is applied when usage is read.</small>
          <ErrorBox error={error} />
          <div className="actions end">
            <button type="button" className="secondary" onClick={onCancel} disabled={pending}>
              Cancel
            </button>
            <button type="submit" disabled={pending}>
              {pending ? "Saving…" : "Save meter"}
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
