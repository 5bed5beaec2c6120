"use client";

import { useRef, useState, type FormEvent } from "react";
import { ApiProblem } from "../../../lib/browser-api";
import { controlPlane, idempotencyKey, type Tenant, type Tier } from "../../../lib/control-plane";
import { ErrorBox, Field } from "../../ui/form";
import { useOptional } from "./use-optional";

const limit = (n: number | null, what: string) => (n === null ? `any number of ${what}` : `${n.toLocaleString("en-GB")} ${what}`);
const describeTier = (t: Tier) => `${t.name}: ${limit(t.limits.members, "members")}, ${limit(t.limits.files, "files")}${t.limits.models.length ? `, ${t.limits.models.length} models` : ""}`;

/**
 * Registers a tenant (SBT's POST /tenants). One Idempotency-Key per attempt: a double click, or
 * sending again after a lost answer, makes one tenant; changing a value starts a new attempt.
 */
export function RegisterTenantForm({ onRegistered }: { onRegistered: (tenant: Tenant) => void }) {
  const key = useRef<string | undefined>();
  const sending = useRef(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiProblem | undefined>();
  const tiers = useOptional(() => controlPlane.tiers(), []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending.current) return;
    sending.current = true;
    const form = event.currentTarget;
    const values = new FormData(form);
    key.current ??= idempotencyKey();
    setPending(true);
    setError(undefined);
    try {
      const tenant = await controlPlane.registerTenant(
        { tenantName: String(values.get("tenantName") ?? ""), email: String(values.get("email") ?? ""), tier: String(values.get("tier") || "basic") },
        key.current,
      );
      key.current = undefined;
      form.reset();
      onRegistered(tenant);
    } catch (e) {
      setError(e instanceof ApiProblem ? e : new ApiProblem(0, "unknown", e instanceof Error ? e.message : String(e)));
    } finally {
      sending.current = false;
      setPending(false);
    }
  }

  return (
    <form className="card stack" onSubmit={onSubmit} onChange={() => (key.current = undefined)} noValidate aria-labelledby="register-title" data-testid="register-tenant">
      <h2 id="register-title">Register a tenant</h2>
      <p className="meta">The tenant is provisioned as an organisation, and its owner gets an invitation by mail.</p>
      <div className="fields">
        <Field name="tenantName" label="Tenant name" error={error} />
        <Field name="email" label="Owner's email" type="email" autoComplete="off" error={error} />
        <label className="field" htmlFor="field-tier">
          <span>Tier</span>
          {tiers.status === "ready" && tiers.value.length > 0 ? (
            <select id="field-tier" name="tier" defaultValue={tiers.value.some((t) => t.name === "basic") ? "basic" : tiers.value[0]!.name} aria-describedby="tier-hint">
              {tiers.value.map((t) => (
                <option key={t.name} value={t.name}>
                  {describeTier(t)}
                </option>
              ))}
            </select>
          ) : (
            <input id="field-tier" name="tier" defaultValue="basic" aria-describedby="tier-hint" />
          )}
          <small className="hint" id="tier-hint">Sets the tenant&apos;s limits: members, files and models.</small>
        </label>
      </div>
      <ErrorBox error={error} />
      <div>
        <button type="submit" disabled={pending}>
          {pending ? "Registering…" : "Register tenant"}
        </button>
      </div>
    </form>
  );
}
