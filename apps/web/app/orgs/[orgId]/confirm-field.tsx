"use client";

import { PasswordInput, TextInput } from "@mantine/core";
import type { ApiProblem } from "../../../lib/browser-api";
import classes from "./confirm-field.module.css";

/**
 * A field that confirms a deletion (a handle, an email, a password): the API's issue for it shows
 * under it, while what was typed keeps the normal text colour (red text on the field is too faint).
 */
export function ConfirmField(props: { id: string; name: string; label: string; type?: "text" | "email" | "password"; autoComplete?: string; error?: ApiProblem }) {
  const issue = props.error?.issues.find((i) => i.name === props.name || i.name.endsWith(`.${props.name}`))?.message;
  const common = {
    id: props.id,
    name: props.name,
    label: props.label,
    autoComplete: props.autoComplete ?? "off",
    required: true,
    withAsterisk: false,
    error: issue,
    errorProps: { id: `${props.id}-issue`, className: classes.issue },
    styles: { input: { color: "var(--mantine-color-text)" } },
  };
  return props.type === "password" ? <PasswordInput {...common} /> : <TextInput {...common} type={props.type ?? "text"} spellCheck={false} />;
}
