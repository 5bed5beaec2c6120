"use client";

import { Alert, Anchor, Badge, Button, Checkbox, Code, Group, NativeSelect, Stack, Text, Title } from "@mantine/core";
import { IconKey, IconTrash, IconUserMinus } from "@tabler/icons-react";
import type { ApiKey, ApiKeyCreatedResponse, Invite, Member, Organisation } from "@tandem/client/contract";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { api, ApiProblem, describeError } from "../../../lib/browser-api";
import { confirmAction } from "../../ui/confirm";
import { ErrorBox, Field, Notice, useSubmit } from "../../ui/form";
import { useSession } from "../../ui/session";
import { CopyValue } from "./copy-value";
import { DangerZone } from "./danger-zone";
import { Section } from "./section";
import { showNotice } from "./show-notice";
import { PageState } from "./page-state";

type Loaded = { organisation: Organisation; members: Member[]; invites: Invite[]; apiKeys: ApiKey[] };
type Role = Member["role"];
const RANK: Record<Role, number> = { member: 0, admin: 1, owner: 2 };
const ROLE_MEANS: Record<Role, string> = {
  owner: "owners can do everything, including deleting the organisation",
  admin: "admins invite and remove members, manage groups, models and billing",
  member: "members use notebooks and their own API keys",
};

export default function OrganisationPage({ params }: { params: { orgId: string } }) {
  const base = `/api/orgs/${encodeURIComponent(params.orgId)}`;
  const orgPath = `/orgs/${encodeURIComponent(params.orgId)}`;
  const session = useSession();
  const router = useRouter();
  const [data, setData] = useState<Loaded | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [note, setNote] = useState<string | undefined>();
  const [secret, setSecret] = useState<{ name: string; value: string } | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const myId = session.status === "signed-in" ? session.me.account.id : "";

  const load = useCallback(async () => {
    try {
      const { organisation } = await api<{ organisation: Organisation }>(base);
      const admin = organisation.role !== "member";
      const [members, invites, apiKeys] = await Promise.all([
        api<{ members: Member[] }>(`${base}/members`),
        admin ? api<{ invites: Invite[] }>(`${base}/invites`) : Promise.resolve({ invites: [] }),
        api<{ apiKeys: ApiKey[] }>(`${base}/api-keys`),
      ]);
      setData({ organisation, members: members.members, invites: invites.invites, apiKeys: apiKeys.apiKeys });
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) window.location.href = `/sign-in?next=${orgPath}`;
      else setProblem(describeError(error));
    }
  }, [base, orgPath]);
  useEffect(() => {
    void load();
  }, [load]);

  const invite = useSubmit((v) => api<{ invite: Invite; mailSent: boolean }>(`${base}/invites`, { body: { email: v.email, role: v.role } }), (r) => {
    setNote(r.mailSent ? `Invitation sent to ${r.invite.email}.` : `The invitation to ${r.invite.email} exists, but its mail could not be sent. Revoke it and invite again later.`);
    void load();
  }, { reset: true });
  const rename = useSubmit((v) => api(`${base}`, { method: "PATCH", body: { name: v.name } }), () => {
    setNote("The organisation is renamed.");
    session.reload();
    void load();
  });
  const newKey = useSubmit((v) => api<ApiKeyCreatedResponse>(`${base}/api-keys`, { body: { name: v.name, scopes: v.scope === "write" ? ["read", "write"] : ["read"] } }), (r) => {
    setSecret({ name: r.apiKey.name, value: r.secret });
    void load();
  }, { reset: true });

  /** A change after its confirmation (when it asks for one); refusals show above the sections. */
  async function act(what: string, path: string, method: "DELETE" | "PATCH", body: unknown, done: string, confirm?: Parameters<typeof confirmAction>[0]): Promise<boolean> {
    if (confirm && !(await confirmAction(confirm))) return false;
    setBusy(what);
    setProblem(undefined);
    try {
      await api(path, { method, body });
      setNote(done);
      await load();
      return true;
    } catch (error) {
      setProblem(describeError(error));
      return false;
    } finally {
      setBusy(undefined);
    }
  }

  async function leave(organisation: Organisation) {
    const ok = await confirmAction({
      title: `Leave ${organisation.name}?`,
      body: `You lose access to ${organisation.name} at once: its notebooks, files and groups, and your API keys for it are revoked. To come back, an admin has to invite you again.`,
      confirmLabel: "Leave organisation",
    });
    if (!ok) return;
    setBusy("leave");
    setProblem(undefined);
    try {
      await api(`${base}/members/${encodeURIComponent(myId)}`, { method: "DELETE" });
      showNotice("You left", `You are no longer a member of ${organisation.name}.`);
      session.reload();
      router.push("/");
    } catch (error) {
      setProblem(describeError(error));
    } finally {
      setBusy(undefined);
    }
  }

  async function changeRole(member: Member, role: Role) {
    if (role === member.role) return;
    const down = RANK[role] < RANK[member.role];
    await act(`role-${member.userId}`, `${base}/members/${encodeURIComponent(member.userId)}`, "PATCH", { role }, `${member.name} is now ${role}.`, down
      ? {
          title: `Make ${member.name} ${role === "admin" ? "an admin" : "a member"}?`,
          body: `${member.name} is ${member.role === "owner" ? "an owner" : "an admin"} now and becomes ${role === "admin" ? "an admin" : "a member"}: ${ROLE_MEANS[role]}. They lose what only ${member.role}s can do until someone gives it back.`,
          confirmLabel: "Change role",
        }
      : undefined);
  }

  if (!data) return <PageState problem={problem} />;
  const { organisation, members, invites, apiKeys } = data;
  const admin = organisation.role !== "member";
  const owner = organisation.role === "owner";
  const roleChoices = [
    { value: "member", label: "member" },
    { value: "admin", label: "admin" },
    ...(owner ? [{ value: "owner", label: "owner" }] : []),
  ];

  return (
    <main>
      <Title order={1} data-testid="org-name" style={{ overflowWrap: "anywhere" }}>
        {organisation.name}
      </Title>
      <Text className="lead" component="p">
        You are {organisation.role} ·{" "}
        <Anchor component={Link} href={`${orgPath}/notebooks`} underline="always" data-testid="notebooks-link">
          Notebooks
        </Anchor>{" "}
        ·{" "}
        <Anchor component={Link} href={`${orgPath}/groups`} underline="always" data-testid="groups-link">
          Groups
        </Anchor>{" "}
        ·{" "}
        {admin ? (
          <>
            <Anchor component={Link} href={`${orgPath}/billing`} underline="always" data-testid="billing-link">
              Billing
            </Anchor>{" "}
            ·{" "}
          </>
        ) : null}
        <Anchor component={Link} href="/" underline="always">
          All organisations
        </Anchor>
      </Text>
      {note ? <Notice testId="org-note">{note}</Notice> : null}
      {problem ? (
        <Alert color="red" variant="light" role="alert" data-testid="org-error" mb="md">
          {problem}
        </Alert>
      ) : null}

      <Section id="members-title" title="Members">
        <ul className="list" data-testid="members">
          {members.map((m) => {
            const editable = admin && m.userId !== myId && (m.role !== "owner" || owner);
            return (
              <li key={m.userId} data-testid="member" data-user-id={m.userId}>
                <span style={{ minWidth: 0, overflowWrap: "anywhere" }}>
                  {m.name} <small>{m.email}</small>
                </span>
                <Group gap="xs" wrap="nowrap">
                  {editable ? (
                    <>
                      <NativeSelect size="xs" aria-label={`Role of ${m.name}`} value={m.role} disabled={busy === `role-${m.userId}`} onChange={(e) => void changeRole(m, e.currentTarget.value as Role)} data={roleChoices} />
                      <Button
                        type="button"
                        variant="subtle"
                        color="red"
                        size="compact-sm"
                        aria-label={`Remove ${m.name}`}
                        leftSection={<IconUserMinus size={14} aria-hidden />}
                        loading={busy === `remove-${m.userId}`}
                        onClick={() =>
                          void act(`remove-${m.userId}`, `${base}/members/${encodeURIComponent(m.userId)}`, "DELETE", undefined, `${m.name} was removed.`, {
                            title: `Remove ${m.name}?`,
                            body: `${m.name} (${m.email}) loses access to ${organisation.name} at once, leaves its groups, and their API keys for it are revoked. Their notebooks here stay. You can invite them again later.`,
                            confirmLabel: "Remove member",
                          })
                        }
                      >
                        Remove
                      </Button>
                    </>
                  ) : (
                    <Badge variant="filled" color={m.role === "member" ? "gray" : "blue"}>
                      {m.role}
                    </Badge>
                  )}
                  {m.userId === myId ? (
                    <Button type="button" variant="subtle" size="compact-sm" loading={busy === "leave"} onClick={() => void leave(organisation)} data-testid="leave">
                      Leave
                    </Button>
                  ) : null}
                </Group>
              </li>
            );
          })}
        </ul>
      </Section>

      {admin ? (
        <Section id="invitations-title" title="Invitations">
          <form onSubmit={invite.onSubmit} noValidate>
            <Stack gap="sm">
              <Field name="email" label="Email to invite" type="email" error={invite.error} />
              <NativeSelect name="role" label="Role" defaultValue="member" data={roleChoices} description="What they may do once they join." />
              <ErrorBox error={invite.error} />
              <Button type="submit" loading={invite.pending}>
                Send invitation
              </Button>
            </Stack>
          </form>
          <ul className="list" data-testid="invites">
            {invites.map((i) => (
              <li key={i.id}>
                <span style={{ minWidth: 0, overflowWrap: "anywhere" }}>
                  {i.email} <small>{i.role} · until {new Date(i.expiresAt).toLocaleDateString("en-GB")}</small>
                </span>
                <Button
                  type="button"
                  variant="subtle"
                  color="red"
                  size="compact-sm"
                  aria-label={`Revoke the invitation to ${i.email}`}
                  loading={busy === `invite-${i.id}`}
                  onClick={() =>
                    void act(`invite-${i.id}`, `${base}/invites/${encodeURIComponent(i.id)}`, "DELETE", undefined, `The invitation to ${i.email} is revoked.`, {
                      title: `Revoke the invitation to ${i.email}?`,
                      body: `The link in the mail sent to ${i.email} stops working at once. You can invite them again later.`,
                      confirmLabel: "Revoke invitation",
                    })
                  }
                >
                  Revoke
                </Button>
              </li>
            ))}
          </ul>
          {invites.length === 0 ? (
            <Text size="sm" c="dimmed">
              No open invitations.
            </Text>
          ) : null}
        </Section>
      ) : null}

      <Section id="api-keys-title" title="Your API keys">
        <Text size="sm" c="dimmed">
          For scripts and @tandem/client in this organisation. Send a key as <Code>Authorization: Bearer &lt;key&gt;</Code>.
        </Text>
        {secret ? (
          <Alert color="green" variant="light" role="status" icon={<IconKey size={18} aria-hidden />} title={`The key "${secret.name}" is ready`} styles={{ title: { color: "var(--mantine-color-text)" } }} data-testid="api-key-secret">
            <Text size="sm">Copy it now; it will not be shown again.</Text>
            <Group gap="xs" wrap="nowrap" mt={6}>
              <Code data-testid="api-key-value" style={{ overflowWrap: "anywhere", minWidth: 0 }}>
                {secret.value}
              </Code>
              <CopyValue value={secret.value} label="the API key" testId="copy-api-key" />
            </Group>
          </Alert>
        ) : null}
        <form onSubmit={newKey.onSubmit} noValidate>
          <Stack gap="sm">
            <Field name="name" id="field-key-name" label="Key name" error={newKey.error} hint="What uses it, e.g. nightly export" />
            <NativeSelect
              name="scope"
              label="Access"
              defaultValue="read"
              data={[
                { value: "read", label: "read only" },
                { value: "write", label: "read and write" },
              ]}
            />
            <ErrorBox error={newKey.error} />
            <Button type="submit" loading={newKey.pending}>
              Create key
            </Button>
          </Stack>
        </form>
        <ul className="list" data-testid="api-keys">
          {apiKeys.map((k) => (
            <li key={k.id} data-testid="api-key">
              <span style={{ minWidth: 0, overflowWrap: "anywhere" }}>
                {k.name} <small>{k.hint}… · {k.scopes.join(", ")} · {k.lastUsedAt ? `used ${new Date(k.lastUsedAt).toLocaleString("en-GB")}` : "never used"}</small>
              </span>
              <Button
                type="button"
                variant="subtle"
                color="red"
                size="compact-sm"
                aria-label={`Revoke the key ${k.name}`}
                leftSection={<IconTrash size={14} aria-hidden />}
                loading={busy === `key-${k.id}`}
                onClick={() =>
                  void act(`key-${k.id}`, `${base}/api-keys/${encodeURIComponent(k.id)}`, "DELETE", undefined, `The key "${k.name}" is revoked.`, {
                    title: `Revoke the key "${k.name}"?`,
                    body: `Scripts that send this key (${k.hint}…) are refused from now on. This cannot be undone; create a new key to replace it.`,
                    confirmLabel: "Revoke key",
                  })
                }
              >
                Revoke
              </Button>
            </li>
          ))}
        </ul>
        {apiKeys.length === 0 ? (
          <Text size="sm" c="dimmed">
            You have no API keys here.
          </Text>
        ) : null}
      </Section>

      {admin ? <ModelPolicyPanel base={base} /> : null}

      <Section id="details-title" title="Organisation">
        <Group gap="xs" wrap="nowrap">
          <Text size="sm" style={{ minWidth: 0 }}>
            Handle: <Code data-testid="org-slug">{organisation.slug}</Code>
          </Text>
          <CopyValue value={organisation.slug} label="the handle" />
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Text size="sm" style={{ minWidth: 0, overflowWrap: "anywhere" }}>
            Organisation id: <Code data-testid="org-id">{organisation.id}</Code>
          </Text>
          <CopyValue value={organisation.id} label="the organisation id" testId="copy-org-id" />
        </Group>
        {admin ? (
          <form onSubmit={rename.onSubmit} noValidate>
            <Stack gap="sm">
              <Field name="name" id="field-org-name" label="Organisation name" defaultValue={organisation.name} error={rename.error} />
              <ErrorBox error={rename.error} />
              <Button type="submit" loading={rename.pending}>
                Rename
              </Button>
            </Stack>
          </form>
        ) : null}
      </Section>

      {owner ? <DangerZone key={members.length} base={base} name={organisation.name} slug={organisation.slug} /> : null}
    </main>
  );
}

type PolicyResponse = {
  available: Array<{ id: string; name: string; local: boolean }>;
  policy: { allowedModelIds: string[]; groups?: Array<{ groupId: string; models: string[] }> };
};

/** Admins choose which chat models members may use, and a Bedrock guardrail; the groups' own rules are listed. */
function ModelPolicyPanel({ base }: { base: string }) {
  const [models, setModels] = useState<PolicyResponse["available"]>([]);
  const [allowed, setAllowed] = useState<string[]>([]);
  const [rules, setRules] = useState<Array<{ group: string; models: string[] }>>([]);
  const [note, setNote] = useState<string | undefined>();
  useEffect(() => {
    Promise.all([api<PolicyResponse>(`${base}/models`), api<{ groups: Array<{ id: string; name: string }> }>(`${base}/groups`).catch(() => ({ groups: [] }))]).then(
      ([r, g]) => {
        setModels(r.available);
        setAllowed(r.policy.allowedModelIds);
        const names = new Map(g.groups.map((x) => [x.id, x.name]));
        const modelName = (id: string) => r.available.find((m) => m.id === id)?.name ?? id;
        setRules((r.policy.groups ?? []).map((rule) => ({ group: names.get(rule.groupId) ?? "a deleted group", models: rule.models.map(modelName) })));
      },
      () => undefined,
    );
  }, [base]);
  const save = useSubmit(
    (v) =>
      api(`${base}/model-policy`, {
        method: "PUT",
        body: { allowedModelIds: allowed, guardrail: v.guardrailId ? { id: v.guardrailId, version: v.guardrailVersion || "DRAFT" } : null },
      }),
    () => setNote("Model settings saved."),
  );
  return (
    <Section id="models-title" title="Models">
      <form onSubmit={save.onSubmit} noValidate>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            Members may use the ticked models (none ticked: all). A Bedrock guardrail, when given, applies to every reply.
          </Text>
          {note ? <Notice>{note}</Notice> : null}
          <Checkbox.Group label="Models members may use" value={allowed} onChange={setAllowed}>
            <Stack gap={6} mt={6}>
              {models.map((m) => (
                <Checkbox key={m.id} value={m.id} label={m.name} />
              ))}
            </Stack>
          </Checkbox.Group>
          {rules.length > 0 ? (
            <div data-testid="group-model-rules">
              <Text size="sm" fw={600}>
                Rules by group
              </Text>
              <ul className="list">
                {rules.map((r, i) => (
                  <li key={i}>
                    <span>
                      <Badge variant="filled">{r.group}</Badge> <small>{r.models.join(", ") || "no models"}</small>
                    </span>
                  </li>
                ))}
              </ul>
              <Text size="xs" c="dimmed">
                A member in one of these groups may use the group&apos;s models instead of the ticked ones.
              </Text>
            </div>
          ) : null}
          <Field name="guardrailId" label="Guardrail id (optional)" required={false} error={save.error} />
          <Field name="guardrailVersion" label="Guardrail version" required={false} error={save.error} hint="DRAFT or a number" />
          <ErrorBox error={save.error} />
          <Button type="submit" loading={save.pending}>
            Save model settings
          </Button>
        </Stack>
      </form>
    </Section>
  );
}
