"use client";

import { Button, Group, NativeSelect, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { useRef, useState, type FormEvent } from "react";
import { ApiProblem } from "../../../lib/browser-api";
import { controlPlane, idempotencyKey, type Tenant, type Tier } from "../../../lib/control-plane";
import { ErrorBox, Field } from "../../ui/form";
import { classes } from "./parts";
import { useOptional } from "./use-optional";

const limit = (n: number | null, what: string) => (n === null ? `any number of ${what}` : `${n.toLocaleString("en-GB")} ${what}`);
const describeTier = (t: Tier) => `${t.name}: ${limit(t.limits.members, "members")}, ${limit(t.limits.files, "files")}${t.limits.models.length ? `, ${t.limits.models.length} models` : ""}`;
const TIER_HINT = "Sets the tenant's limits: members, files and models.";

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
    <Paper withBorder radius="md" p={{ base: "md", sm: "lg" }} mb="lg" component="form" onSubmit={onSubmit} onChange={() => (key.current = undefined)} noValidate aria-labelledby="register-title" data-testid="register-tenant">
      <Stack gap="sm">
        <Title order={2} id="register-title" size="h3">
          Register a tenant
        </Title>
        <Text size="sm" c="dimmed">
          The tenant is provisioned as an organisation, and its owner gets an invitation by mail.
        </Text>
        <div className={classes.fields}>
          <Field name="tenantName" label="Tenant name" error={error} />
          <Field name="email" label="Owner's email" type="email" autoComplete="off" error={error} />
          {tiers.status === "ready" && tiers.value.length > 0 ? (
            <NativeSelect
              id="field-tier"
              name="tier"
              label="Tier"
              description={TIER_HINT}
              inputWrapperOrder={["label", "input", "description", "error"]}
              defaultValue={tiers.value.some((t) => t.name === "basic") ? "basic" : tiers.value[0]!.name}
              data={tiers.value.map((t) => ({ value: t.name, label: describeTier(t) }))}
            />
          ) : (
            <TextInput id="field-tier" name="tier" label="Tier" defaultValue="basic" description={TIER_HINT} inputWrapperOrder={["label", "input", "description", "error"]} />
          )}
        </div>
        <ErrorBox error={error} />
        <Group>
          <Button type="submit" loading={pending}>
            Register tenant
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
