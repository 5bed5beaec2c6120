"use client";

import { Alert, PasswordInput, TextInput } from "@mantine/core";
import { IconAlertCircle, IconCircleCheck } from "@tabler/icons-react";
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
  const common = {
    id,
    name: props.name,
    label: props.label,
    autoComplete: props.autoComplete,
    defaultValue: props.defaultValue,
    required: props.required ?? true,
    withAsterisk: false,
    error: issue,
    errorProps: { id: `${id}-issue` },
    description: props.hint && !issue ? props.hint : undefined,
    inputWrapperOrder: ["label", "input", "description", "error"] as ("label" | "input" | "description" | "error")[],
  };
  return props.type === "password" ? <PasswordInput {...common} /> : <TextInput {...common} type={props.type ?? "text"} />;
}

export function ErrorBox({ error }: { error?: ApiProblem }) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" role="alert" data-testid="form-error" icon={<IconAlertCircle size={18} aria-hidden />} styles={{ message: { overflowWrap: "anywhere" } }}>
      {error.message}
    </Alert>
  );
}

export function Notice({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <Alert color="green" variant="light" role="status" data-testid={testId} mb="md" icon={<IconCircleCheck size={18} aria-hidden />} styles={{ message: { overflowWrap: "anywhere" } }}>
      {children}
    </Alert>
  );
}
