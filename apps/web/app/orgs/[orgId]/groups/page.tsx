"use client";

import { ActionIcon, Alert, Anchor, Badge, Button, Group, Paper, Select, Stack, Text, TextInput, Title, Tooltip } from "@mantine/core";
import { IconPencil, IconTrash, IconUserMinus, IconUserPlus } from "@tabler/icons-react";
import type { Group as GroupView, Member, Organisation } from "@tandem/client/contract";
import Link from "next/link";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, ApiProblem, describeError } from "../../../../lib/browser-api";
import { confirmAction } from "../../../ui/confirm";
import { ErrorBox, Field, Notice, useSubmit } from "../../../ui/form";
import { PageState } from "../page-state";

type Loaded = { organisation: Organisation; members: Member[]; groups: GroupView[] };

/**
 * An organisation's groups of members (used by the model policy and spend caps): every member sees
 * them and who is in each; admins and owners create, rename and delete them and put members in and out.
 */
export default function GroupsPage({ params }: { params: { orgId: string } }) {
  const base = `/api/orgs/${encodeURIComponent(params.orgId)}`;
  const orgPath = `/orgs/${encodeURIComponent(params.orgId)}`;
  const [data, setData] = useState<Loaded | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [note, setNote] = useState<string | undefined>();

  const load = useCallback(async () => {
    try {
      const [{ organisation }, { members }, { groups }] = await Promise.all([
        api<{ organisation: Organisation }>(base),
        api<{ members: Member[] }>(`${base}/members`),
        api<{ groups: GroupView[] }>(`${base}/groups`),
      ]);
      setData({ organisation, members, groups });
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) window.location.href = `/sign-in?next=${orgPath}/groups`;
      else setProblem(describeError(error));
    }
  }, [base, orgPath]);
  useEffect(() => {
    void load();
  }, [load]);

  const create = useSubmit((v) => api<{ group: GroupView }>(`${base}/groups`, { body: { name: v.name ?? "" } }), (r) => {
    setNote(`The group ${r.group.name} is created.`);
    void load();
  }, { reset: true });

  /** One change of a group; refusals show above the groups. */
  async function change(path: string, method: "PUT" | "PATCH" | "DELETE", body: unknown, done: string): Promise<boolean> {
    setProblem(undefined);
    try {
      await api(path, { method, body });
      setNote(done);
      await load();
      return true;
    } catch (error) {
      setProblem(describeError(error));
      return false;
    }
  }

  if (!data) return <PageState problem={problem} />;
  const { organisation, members, groups } = data;
  const admin = organisation.role !== "member";

  return (
    <main>
      <Title order={1}>Groups</Title>
      <Text className="lead" component="p">
        <Anchor component={Link} href={orgPath} underline="always" data-testid="org-link">
          {organisation.name}
        </Anchor>{" "}
        · Groups decide which models their members may use and what they may spend.
      </Text>
      {note ? <Notice testId="groups-note">{note}</Notice> : null}
      {problem ? (
        <Alert color="red" variant="light" role="alert" data-testid="groups-error" mb="md">
          {problem}
        </Alert>
      ) : null}
      {!admin ? (
        <Text size="sm" c="dimmed" data-testid="groups-read-only" mb="md">
          Only admins and owners can change groups; you can see them and who is in each.
        </Text>
      ) : null}

      {admin ? (
        <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="new-group-title">
          <form onSubmit={create.onSubmit} noValidate data-testid="create-group">
            <Stack gap="sm">
              <Title order={2} id="new-group-title" size="h3">
                New group
              </Title>
              <Field name="name" id="field-group-name" label="Group name" error={create.error} hint="For example Research, or Support team" />
              <ErrorBox error={create.error} />
              <Button type="submit" loading={create.pending}>
                Create group
              </Button>
            </Stack>
          </form>
        </Paper>
      ) : null}

      <Stack gap="md" mt="md" data-testid="groups">
        {groups.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="no-groups">
            {admin ? "No groups yet. Create the first one above." : "This organisation has no groups yet."}
          </Text>
        ) : null}
        {groups.map((g) => (
          <GroupCard key={g.id} group={g} members={members} admin={admin} base={base} change={change} />
        ))}
      </Stack>
    </main>
  );
}

function GroupCard({ group, members, admin, base, change }: { group: GroupView; members: Member[]; admin: boolean; base: string; change: (path: string, method: "PUT" | "PATCH" | "DELETE", body: unknown, done: string) => Promise<boolean> }) {
  const path = `${base}/groups/${encodeURIComponent(group.id)}`;
  const [renaming, setRenaming] = useState(false);
  const [newName, setNewName] = useState(group.name);
  const [adding, setAdding] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const byId = new Map(members.map((m) => [m.userId, m]));
  const inGroup = group.memberIds.map((id) => ({ id, member: byId.get(id) }));
  const others = members.filter((m) => !group.memberIds.includes(m.userId));
  const titleId = `group-${group.id}`;

  async function run(action: () => Promise<boolean>) {
    setPending(true);
    try {
      return await action();
    } finally {
      setPending(false);
    }
  }
  async function rename(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (await run(() => change(path, "PATCH", { name: newName }, `The group ${group.name} is now ${newName.trim()}.`))) setRenaming(false);
  }
  async function add() {
    const who = adding ? byId.get(adding) : undefined;
    if (!who) return;
    if (await run(() => change(`${path}/members/${encodeURIComponent(who.userId)}`, "PUT", undefined, `${who.name} is in ${group.name}.`))) setAdding(null);
  }
  async function remove(id: string, name: string) {
    const ok = await confirmAction({
      title: `Remove ${name} from ${group.name}?`,
      body: `${name} stays in the organisation but no longer gets what ${group.name} gives: the models and spend caps set for the group stop applying to them.`,
      confirmLabel: "Remove from group",
    });
    if (ok) await run(() => change(`${path}/members/${encodeURIComponent(id)}`, "DELETE", undefined, `${name} is no longer in ${group.name}.`));
  }
  async function drop() {
    const ok = await confirmAction({
      title: `Delete the group ${group.name}?`,
      body: `The group and its ${group.memberIds.length === 1 ? "1 membership" : `${group.memberIds.length} memberships`} go, and the model and spend rules that name it are dropped. Its members stay in the organisation. This cannot be undone.`,
      confirmLabel: "Delete group",
    });
    if (ok) await run(() => change(path, "DELETE", undefined, `The group ${group.name} is deleted.`));
  }

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby={titleId} data-testid="group" data-group-name={group.name}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Group gap="xs" wrap="wrap" style={{ minWidth: 0 }}>
            <Title order={2} size="h4" id={titleId} data-testid="group-name" style={{ overflowWrap: "anywhere" }}>
              {group.name}
            </Title>
            <Badge variant="filled" color="gray">
              {group.memberIds.length === 1 ? "1 member" : `${group.memberIds.length} members`}
            </Badge>
            {group.mine ? (
              <Badge variant="filled" color="blue">
                You are in it
              </Badge>
            ) : null}
          </Group>
          {admin && !renaming ? (
            <Group gap={4} wrap="nowrap">
              <Button type="button" variant="subtle" size="compact-sm" leftSection={<IconPencil size={14} aria-hidden />} aria-label={`Rename ${group.name}`} onClick={() => { setNewName(group.name); setRenaming(true); }}>
                Rename
              </Button>
              <Button type="button" variant="subtle" color="red" size="compact-sm" leftSection={<IconTrash size={14} aria-hidden />} aria-label={`Delete the group ${group.name}`} loading={pending} onClick={() => void drop()}>
                Delete
              </Button>
            </Group>
          ) : null}
        </Group>

        {admin && renaming ? (
          <form onSubmit={(e) => void rename(e)} noValidate>
            <Group gap="xs" align="flex-end" wrap="wrap">
              <TextInput label={`New name for ${group.name}`} value={newName} onChange={(e) => setNewName(e.currentTarget.value)} style={{ flex: "1 1 12rem" }} data-autofocus autoFocus />
              <Button type="submit" loading={pending}>
                Save name
              </Button>
              <Button type="button" variant="default" onClick={() => setRenaming(false)}>
                Cancel
              </Button>
            </Group>
          </form>
        ) : null}

        {inGroup.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nobody is in this group yet.
          </Text>
        ) : (
          <ul className="list" data-testid="group-members" aria-label={`Members of ${group.name}`}>
            {inGroup.map(({ id, member }) => {
              const name = member?.name ?? "A former member";
              return (
                <li key={id} data-testid="group-member">
                  <span style={{ minWidth: 0, overflowWrap: "anywhere" }}>
                    {name} {member ? <small>{member.email}</small> : null}
                  </span>
                  {admin ? (
                    <Tooltip label={`Remove from ${group.name}`}>
                      <ActionIcon variant="subtle" color="red" aria-label={`Remove ${name} from ${group.name}`} onClick={() => void remove(id, name)} disabled={pending}>
                        <IconUserMinus size={16} aria-hidden />
                      </ActionIcon>
                    </Tooltip>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}

        {admin && others.length > 0 ? (
          <Group gap="xs" align="flex-end" wrap="wrap">
            <Select
              label={`Add a member to ${group.name}`}
              placeholder="Choose a member"
              searchable
              nothingFoundMessage="No member matches"
              data={others.map((m) => ({ value: m.userId, label: `${m.name} (${m.email})` }))}
              value={adding}
              onChange={setAdding}
              style={{ flex: "1 1 14rem" }}
              data-testid="add-member-select"
            />
            <Button type="button" leftSection={<IconUserPlus size={16} aria-hidden />} disabled={!adding} loading={pending} onClick={() => void add()}>
              Add
            </Button>
          </Group>
        ) : null}
      </Stack>
    </Paper>
  );
}
