"use client";

import { useState } from "react";
import { describeError } from "../../../lib/browser-api";
import { controlPlane, tenantActions, type Tenant } from "../../../lib/control-plane";
import { ConfirmDialog } from "./confirm";

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
  const [confirming, setConfirming] = useState(false);
  const actions = tenantActions(tenant.status);

  async function run(action: Action) {
    setPending(action);
    setError(undefined);
    try {
      const { data } = await controlPlane[action](tenant.tenantId);
      setConfirming(false);
      onChanged(data, DONE[action](tenant.tenantName));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setPending(undefined);
    }
  }

  if (actions.length === 0) return <span className="hint">—</span>;
  return (
    <div className="stack tight">
      <div className="actions wrap">
        {actions.map((action) => (
          <button
            key={action}
            type="button"
            className={action === "offboard" ? "small danger" : action === "deactivate" ? "small secondary" : "small"}
            aria-label={`${LABEL[action]} ${tenant.tenantName}`}
            disabled={pending !== undefined}
            onClick={() => (action === "offboard" ? setConfirming(true) : void run(action))}
            data-testid={`tenant-${action}`}
          >
            {pending === action ? "Working…" : LABEL[action]}
          </button>
        ))}
      </div>
      {error && !confirming ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title={`Offboard ${tenant.tenantName}?`}
        confirmLabel={`Offboard ${tenant.tenantName}`}
        pending={pending === "offboard"}
        error={confirming ? error : undefined}
        onConfirm={() => void run("offboard")}
        onCancel={() => {
          setConfirming(false);
          setError(undefined);
        }}
      >
        <p>
          Sign-in ends at once for everyone in <strong>{tenant.tenantName}</strong>
          {tenant.email ? ` (owner ${tenant.email})` : ""}.
        </p>
        <p>Its data and files are removed after 30 days. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}
