"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import { ApiProblem } from "../../lib/browser-api";

/** Runs a form's submit, keeping its pending state, its error and the per-field issues. */
export function useSubmit<T>(action: (values: Record<string, string>) => Promise<T>, onDone?: (result: T) => void, options: { reset?: boolean } = {}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiProblem | undefined>();
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const values = Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, String(v)]));
    setPending(true);
    setError(undefined);
    try {
      const result = await action(values);
      if (options.reset) form.reset();
      onDone?.(result);
    } catch (e) {
      setError(e instanceof ApiProblem ? e : new ApiProblem(0, "unknown", e instanceof Error ? e.message : String(e)));
    } finally {
      setPending(false);
    }
  }
  return { pending, error, onSubmit };
}

/** The issue for one field, matched on the last part of its name (body.email → email). */
function issueFor(error: ApiProblem | undefined, name: string): string | undefined {
  return error?.issues.find((i) => i.name === name || i.name.endsWith(`.${name}`))?.message;
}

export function Field(props: { name: string; label: string; type?: string; autoComplete?: string; defaultValue?: string; error?: ApiProblem; required?: boolean; hint?: string; id?: string }) {
  const issue = issueFor(props.error, props.name);
  // Two forms on one page with a field of the same name give one of them its own id.
  const id = props.id ?? `field-${props.name}`;
  return (
    <label className="field" htmlFor={id}>
      <span>{props.label}</span>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        autoComplete={props.autoComplete}
        defaultValue={props.defaultValue}
        required={props.required ?? true}
        aria-invalid={issue ? true : undefined}
        aria-describedby={issue ? `${id}-issue` : undefined}
      />
      {props.hint && !issue ? <small className="hint">{props.hint}</small> : null}
      {issue ? (
        <small className="issue" id={`${id}-issue`}>
          {issue}
        </small>
      ) : null}
    </label>
  );
}

export function ErrorBox({ error }: { error?: ApiProblem }) {
  if (!error) return null;
  return (
    <p className="error" role="alert" data-testid="form-error">
      {error.message}
    </p>
  );
}

export function Notice({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <p className="notice" role="status" data-testid={testId}>
      {children}
    </p>
  );
}
