"use client";

import { Button, Group, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { describeError } from "../../../lib/browser-api";
import { controlPlane, tenantActions, type Tenant } from "../../../lib/control-plane";
import { confirmAction } from "../../ui/confirm";
import { classes, Hint, Problem } from "./parts";

type Action = ReturnType<typeof tenantActions>[number];

const LABEL: Record<Action, string> = { deactivate: "Deactivate", activate: "Activate", offboard: "Offboard", retry: "Retry" };
const DONE: Record<Action, (name: string) => string> = {
  deactivate: (n) => `${n} is deactivated: its people cannot sign in until it is activated again.`,
  activate: (n) => `${n} is active again.`,
  offboard: (n) => `${n} is being offboarded.`,
  retry: (n) => `${n}: the request went to the application plane again.`,
};

/** What an operator can do with a tenant in its current status; offboarding asks first. */
export function TenantActions({ tenant, onChanged }: { tenant: Tenant; onChanged: (tenant: Tenant, note: string) => void }) {
  const [pending, setPending] = useState<Action | undefined>();
  const [error, setError] = useState<string | undefined>();
  const actions = tenantActions(tenant.status);

  async function run(action: Action) {
    if (
      action === "offboard" &&
      !(await confirmAction({
        title: `Offboard ${tenant.tenantName}?`,
        confirmLabel: `Offboard ${tenant.tenantName}`,
        body: (
          <Stack gap="xs">
            <Text size="sm">
              Sign-in ends at once for everyone in <strong>{tenant.tenantName}</strong>
              {tenant.email ? ` (owner ${tenant.email})` : ""}.
            </Text>
            <Text size="sm">Its data and files are removed after 30 days. This cannot be undone.</Text>
          </Stack>
        ),
      }))
    )
      return;
    setPending(action);
    setError(undefined);
    try {
      const { data } = await controlPlane[action](tenant.tenantId);
      onChanged(data, DONE[action](tenant.tenantName));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setPending(undefined);
    }
  }

  if (actions.length === 0) return <Hint>—</Hint>;
  return (
    <Stack gap={6}>
      <Group gap="xs">
        {actions.map((action) => (
          <Button
            key={action}
            type="button"
            size="compact-sm"
            variant={action === "offboard" ? "subtle" : action === "deactivate" ? "default" : "filled"}
            color={action === "offboard" ? "red" : undefined}
            className={action === "offboard" ? classes.danger : undefined}
            aria-label={`${LABEL[action]} ${tenant.tenantName}`}
            disabled={pending !== undefined && pending !== action}
            loading={pending === action}
            onClick={() => void run(action)}
            data-testid={`tenant-${action}`}
          >
            {LABEL[action]}
          </Button>
        ))}
      </Group>
      {error ? <Problem>{error}</Problem> : null}
    </Stack>
  );
}
