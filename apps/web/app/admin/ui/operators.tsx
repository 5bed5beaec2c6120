"use client";

import { Button, Group, Stack, Text } from "@mantine/core";
import { IconUserMinus } from "@tabler/icons-react";
import { useState } from "react";
import { describeError } from "../../../lib/browser-api";
import { controlPlane, day, type Operator } from "../../../lib/control-plane";
import { confirmAction } from "../../ui/confirm";
import { ErrorBox, Field, Notice, useSubmit } from "../../ui/form";
import { useSession } from "../../ui/session";
import { classes, Hint, Panel, Problem } from "./parts";
import { useOptional } from "./use-optional";

/** The installation's operators: who they are, adding one by mail, and demoting one (never the last). */
export function OperatorsPanel() {
  const operators = useOptional(() => controlPlane.operators(), []);
  const session = useSession();
  const me = session.status === "signed-in" ? session.me.account.id : undefined;
  const [note, setNote] = useState<string | undefined>();
  const [pending, setPending] = useState<string | undefined>();
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
    const ok = await confirmAction({
      title: `Remove ${operator.email} as operator?`,
      body: operator.userId === me ? "You lose access to these pages at once." : "They keep their account and organisations, but lose the control plane.",
      confirmLabel: "Remove operator",
    });
    if (!ok) return;
    setPending(operator.userId);
    setError(undefined);
    try {
      await controlPlane.removeOperator(operator.userId);
      setNote(`${operator.email} is no longer an operator.`);
      operators.reload();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setPending(undefined);
    }
  }

  return (
    <Panel id="operators-title" title="Operators" testId="operators-panel">
      {note ? <Notice testId="operators-note">{note}</Notice> : null}
      {error ? <Problem>{error}</Problem> : null}
      {operators.status === "ready" ? (
        <ul className={classes.list} data-testid="operators">
          {operators.value.map((o) => (
            <li key={o.userId}>
              <div className={classes.cell}>
                <Text size="sm" fw={600} span>
                  {o.name}
                </Text>{" "}
                {o.userId === me ? (
                  <Text size="sm" c="dimmed" span>
                    (you)
                  </Text>
                ) : null}
                <Text size="xs" c="dimmed">
                  {o.email} · {o.status} · since {day(o.createdAt)}
                </Text>
              </div>
              <Button
                type="button"
                variant="subtle"
                color="red"
                className={classes.danger}
                size="compact-sm"
                leftSection={<IconUserMinus size={14} aria-hidden />}
                loading={pending === o.userId}
                onClick={() => void demote(o)}
                aria-label={`Remove ${o.email} as operator`}
              >
                Remove
              </Button>
            </li>
          ))}
        </ul>
      ) : operators.status === "missing" ? (
        <Hint testId="operators-missing">This installation&apos;s API does not list operators yet. Make one with pnpm tandem admin create --email ….</Hint>
      ) : operators.status === "error" ? (
        <Problem>{operators.message}</Problem>
      ) : (
        <Hint>Loading…</Hint>
      )}
      {operators.status !== "missing" ? (
        <form onSubmit={add.onSubmit} noValidate aria-label="Add an operator">
          <Stack gap="sm" maw={512}>
            <Field name="email" label="Email of the new operator" type="email" autoComplete="off" error={add.error} hint="Their account is created if needed; they get a link to set a password." />
            <ErrorBox error={add.error} />
            <Group>
              <Button type="submit" loading={add.pending}>
                Add operator
              </Button>
            </Group>
          </Stack>
        </form>
      ) : null}
    </Panel>
  );
}
