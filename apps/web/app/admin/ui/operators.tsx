"use client";

import { useState } from "react";
import { describeError } from "../../../lib/browser-api";
import { controlPlane, day, type Operator } from "../../../lib/control-plane";
import { ErrorBox, Field, Notice, useSubmit } from "../../ui/form";
import { useSession } from "../../ui/session";
import { ConfirmDialog } from "./confirm";
import { useOptional } from "./use-optional";

/** The installation's operators: who they are, adding one by mail, and demoting one (never the last). */
export function OperatorsPanel() {
  const operators = useOptional(() => controlPlane.operators(), []);
  const session = useSession();
  const me = session.status === "signed-in" ? session.me.account.id : undefined;
  const [note, setNote] = useState<string | undefined>();
  const [demoting, setDemoting] = useState<Operator | undefined>();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const add = useSubmit(
    (v) => controlPlane.addOperator(v.email ?? ""),
    () => {
      setNote("They are an operator now. A link to set their password is on its way by mail.");
      operators.reload();
    },
    { reset: true },
  );

  async function demote(operator: Operator) {
    setPending(true);
    setError(undefined);
    try {
      await controlPlane.removeOperator(operator.userId);
      setDemoting(undefined);
      setNote(`${operator.email} is no longer an operator.`);
      operators.reload();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setPending(false);
    }
  }

  return (
    <section className="card stack" aria-labelledby="operators-title" data-testid="operators-panel">
      <h2 id="operators-title">Operators</h2>
      {note ? <Notice testId="operators-note">{note}</Notice> : null}
      {operators.status === "ready" ? (
        <ul className="list" data-testid="operators">
          {operators.value.map((o) => (
            <li key={o.userId}>
              <span>
                {o.name} {o.userId === me ? <small>(you)</small> : null}
                <small className="block">
                  {o.email} · {o.status} · since {day(o.createdAt)}
                </small>
              </span>
              <button type="button" className="link danger" onClick={() => setDemoting(o)} aria-label={`Remove ${o.email} as operator`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : operators.status === "missing" ? (
        <p className="hint" data-testid="operators-missing">
          This installation&apos;s API does not list operators yet. Make one with pnpm tandem admin create --email ….
        </p>
      ) : operators.status === "error" ? (
        <p className="error" role="alert">
          {operators.message}
        </p>
      ) : (
        <p className="hint">Loading…</p>
      )}
      {operators.status !== "missing" ? (
        <form className="stack" onSubmit={add.onSubmit} noValidate aria-label="Add an operator">
          <Field name="email" label="Email of the new operator" type="email" autoComplete="off" error={add.error} hint="Their account is created if needed; they get a link to set a password." />
          <ErrorBox error={add.error} />
          <div>
            <button type="submit" disabled={add.pending}>
              {add.pending ? "Adding…" : "Add operator"}
            </button>
          </div>
        </form>
      ) : null}
      <ConfirmDialog
        open={demoting !== undefined}
        title={`Remove ${demoting?.email ?? ""} as operator?`}
        confirmLabel="Remove operator"
        pending={pending}
        error={error}
        onConfirm={() => demoting && void demote(demoting)}
        onCancel={() => {
          setDemoting(undefined);
          setError(undefined);
        }}
      >
        <p>{demoting?.userId === me ? "You lose access to these pages at once." : "They keep their account and organisations, but lose the control plane."}</p>
      </ConfirmDialog>
    </section>
  );
}
