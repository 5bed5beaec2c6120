"use client";

import { useState, type FormEvent } from "react";
import { ApiProblem, describeError } from "../../../lib/browser-api";
import { controlPlane, PRICE_UNITS, when, type ModelPrices, type PriceUnit, type PriceVersion } from "../../../lib/control-plane";
import { ErrorBox, Notice } from "../../ui/form";
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
  if (models.length === 0) return <p className="hint">This version prices no model.</p>;
  return (
    <table className="data" data-testid={`prices-v${version.version}`}>
      <caption className="visually-hidden">Prices of version {version.version}, in US dollars</caption>
      <thead>
        <tr>
          <th scope="col">Model</th>
          {units.map((u) => (
            <th scope="col" key={u.id} className="num">
              {u.label} <small className="block">per {u.per}</small>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {models.map((m) => (
          <tr key={m} data-model={m}>
            <th scope="row">
              <code>{m}</code>
            </th>
            {units.map((u) => (
              <td key={u.id} data-label={`${u.label} /${u.per === "image" ? "image" : "1k"}`} className="num">
                <div className="cell">{price(version.prices[m]?.[u.id])}</div>
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The price table's versions, newest first, the one in force now marked and open. */
export function PriceVersions({ versions }: { versions: PriceVersion[] }) {
  const current = inForce(versions);
  const now = Date.now();
  return (
    <ol className="versions" data-testid="price-versions">
      {[...versions]
        .sort((a, b) => b.version - a.version)
        .map((v) => {
          const state = v === current ? "current" : Date.parse(v.effectiveFrom) > now ? "scheduled" : "past";
          return (
            <li key={v.version} className="version" data-state={state} data-testid="price-version" data-version={v.version}>
              <details open={state !== "past"}>
                <summary>
                  <span className="version-title">Version {v.version}</span>{" "}
                  {state === "current" ? (
                    <span className="badge" data-status="active" data-testid="in-force">
                      In force now
                    </span>
                  ) : state === "scheduled" ? (
                    <span className="badge" data-status="provisioning">
                      Scheduled
                    </span>
                  ) : (
                    <span className="badge">Superseded</span>
                  )}
                  <small className="hint block">
                    from {when(v.effectiveFrom)}
                    {v.note ? ` · ${v.note}` : ""}
                  </small>
                </summary>
                <PriceTable version={v} />
              </details>
            </li>
          );
        })}
    </ol>
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
      onAdded(version);
    } catch (e) {
      setError(e instanceof ApiProblem ? e : new ApiProblem(0, "unknown", describeError(e)));
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="add-prices-title" data-testid="add-prices">
      <h2 id="add-prices-title">Add a version</h2>
      <p className="meta">
        Versions are never edited: the models named here get these prices from the time given (now if left empty), every other model and unit carries over. Prices are US dollars per 1,000 tokens, images per image.
      </p>
      <div className="fields">
        <label className="field" htmlFor="prices-effective">
          <span>In force from</span>
          <input id="prices-effective" name="effectiveFrom" type="datetime-local" aria-describedby="prices-effective-hint" />
          <small className="hint" id="prices-effective-hint">
            Your local time; empty: now. Never in the past.
          </small>
        </label>
        <label className="field" htmlFor="prices-note">
          <span>Note</span>
          <input id="prices-note" name="note" maxLength={300} autoComplete="off" placeholder="e.g. provider's new prices" />
        </label>
      </div>
      <datalist id="price-models">
        {models.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      {rows.map((row, index) => (
        <fieldset key={row.id} className="price-row" data-testid="price-row">
          <legend>Model {rows.length > 1 ? index + 1 : ""}</legend>
          <label className="field model" htmlFor={`model-${row.id}`}>
            <span>Model id</span>
            <input
              id={`model-${row.id}`}
              name={`model-${row.id}`}
              list="price-models"
              autoComplete="off"
              value={row.model}
              onChange={(e) => setRows((all) => all.map((r) => (r.id === row.id ? { ...r, model: e.target.value } : r)))}
            />
          </label>
          <div className="unit-fields">
            {PRICE_UNITS.map((u) => {
              const now = current?.prices[row.model.trim()]?.[u.id];
              return (
                <label className="field" key={u.id} htmlFor={`${u.id}-${row.id}`}>
                  <span>
                    {u.label} <small className="hint">USD / {u.per}</small>
                  </span>
                  <input id={`${u.id}-${row.id}`} name={`${u.id}-${row.id}`} type="number" min={0} max={1000} step="any" inputMode="decimal" placeholder={now === undefined ? "" : `now ${now}`} />
                </label>
              );
            })}
          </div>
          {rows.length > 1 ? (
            <div>
              <button type="button" className="link danger" onClick={() => setRows((all) => all.filter((r) => r.id !== row.id))}>
                Remove this model
              </button>
            </div>
          ) : null}
        </fieldset>
      ))}
      <div>
        <button type="button" className="secondary small" onClick={() => setRows((all) => [...all, { id: Math.max(...all.map((r) => r.id)) + 1, model: "" }])}>
          Add another model
        </button>
      </div>
      <ErrorBox error={error} />
      <div>
        <button type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add version"}
        </button>
      </div>
    </form>
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
      <section className="card stack" aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        {versions.status === "ready" ? (
          list.length > 0 ? (
            <PriceVersions versions={list} />
          ) : (
            <p className="hint">No versions yet.</p>
          )
        ) : versions.status === "error" ? (
          <p className="error" role="alert">
            {versions.message}
          </p>
        ) : versions.status === "missing" ? (
          <p className="hint">This installation&apos;s API has no price table yet.</p>
        ) : (
          <p className="hint">Loading…</p>
        )}
      </section>
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
