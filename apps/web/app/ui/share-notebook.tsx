"use client";

import { ActionIcon, Badge, Button, Group, Modal, SegmentedControl, Select, Stack, Text } from "@mantine/core";
import { IconFolder, IconShare, IconTrash, IconUsers, IconUser } from "@tabler/icons-react";
import type { Group as OrgGroup, Member, Project, Share, SharePermission } from "@tandem/client/contract";
import { useCallback, useEffect, useState } from "react";
import { api, describeError } from "../../lib/browser-api";
import { confirmAction } from "./confirm";

const PERMISSIONS = [
  { value: "read", label: "Can read" },
  { value: "edit", label: "Can edit" },
];

/**
 * The notebook's Share button and dialog (its owner only): whom it is shared with, to read or to
 * edit; share with a member, a group or a project (one the owner is in) of the organisation;
 * change or end a share.
 */
export function ShareNotebook({ orgId, notebookId, selfId }: { orgId: string; notebookId: string; selfId: string | undefined }) {
  const base = `/api/orgs/${encodeURIComponent(orgId)}`;
  const path = `${base}/notebooks/${encodeURIComponent(notebookId)}/shares`;
  const [open, setOpen] = useState(false);
  const [shares, setShares] = useState<Share[]>([]);
  const [members, setMembers] = useState<Member[]>([]);
  const [groups, setGroups] = useState<OrgGroup[]>([]);
  const [projects, setProjects] = useState<Project[]>([]);
  const [target, setTarget] = useState<string | null>(null);
  const [permission, setPermission] = useState<SharePermission>("read");
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [s, m, g, p] = await Promise.all([
        api<{ shares: Share[] }>(path),
        api<{ members: Member[] }>(`${base}/members`),
        api<{ groups: OrgGroup[] }>(`${base}/groups`).catch(() => ({ groups: [] as OrgGroup[] })),
        api<{ projects: Project[] }>(`${base}/projects`).catch(() => ({ projects: [] as Project[] })),
      ]);
      setShares(s.shares);
      setMembers(m.members);
      setGroups(g.groups);
      setProjects(p.projects);
      setProblem(undefined);
    } catch (error) {
      setProblem(describeError(error));
    }
  }, [base, path]);
  useEffect(() => {
    if (open) void load();
  }, [open, load]);

  const taken = new Set(shares.map((s) => `${s.kind}:${s.targetId}`));
  const options = [
    { group: "Projects", items: projects.map((p) => ({ value: `project:${p.id}`, label: `${p.name} (project)` })) },
    { group: "Groups", items: groups.map((g) => ({ value: `group:${g.id}`, label: g.name })) },
    { group: "Members", items: members.filter((m) => m.userId !== selfId).map((m) => ({ value: `member:${m.userId}`, label: `${m.name} (${m.email})` })) },
  ]
    .map((o) => ({ ...o, items: o.items.filter((i) => !taken.has(i.value)) }))
    .filter((o) => o.items.length);

  async function save(kind: string, targetId: string, perm: SharePermission) {
    setBusy(true);
    setProblem(undefined);
    try {
      await api(path, { method: "PUT", body: { kind, targetId, permission: perm } });
      setTarget(null);
      await load();
    } catch (error) {
      setProblem(describeError(error));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(share: Share) {
    const sure = await confirmAction({
      title: `Stop sharing with ${share.name}?`,
      body: share.kind === "member" ? `${share.name} will no longer see this notebook.` : `Members of ${share.name} will no longer see this notebook (unless it is shared with them otherwise).`,
      confirmLabel: "Stop sharing",
    });
    if (!sure) return;
    try {
      await api(`${path}/${share.id}`, { method: "DELETE" });
      await load();
    } catch (error) {
      setProblem(describeError(error));
    }
  }

  return (
    <>
      <Button variant="default" size="xs" leftSection={<IconShare size={14} aria-hidden />} onClick={() => setOpen(true)} data-testid="share-open">
        Share
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title="Share this notebook" size="lg">
        <Stack gap="sm">
          <Group align="flex-end" wrap="wrap" gap="xs">
            <Select
              label="Share with"
              placeholder={options.length ? "Pick a member, a group or a project" : "Everyone is in the list already"}
              data={options}
              value={target}
              onChange={setTarget}
              searchable
              style={{ flex: 1, minWidth: 200 }}
              data-testid="share-target"
              nothingFoundMessage="No member, group or project by that name"
            />
            <SegmentedControl aria-label="Permission" data={PERMISSIONS} value={permission} onChange={(v) => setPermission(v as SharePermission)} />
            <Button
              onClick={() => {
                if (!target) return;
                const [kind, id] = target.split(":");
                void save(kind!, id!, permission);
              }}
              disabled={!target}
              loading={busy}
              data-testid="share-submit"
            >
              Share
            </Button>
          </Group>
          {problem ? (
            <Text c="red" size="sm" role="alert">
              {problem}
            </Text>
          ) : null}
          {shares.length === 0 ? (
            <Text size="sm" c="dimmed">
              Only you can see this notebook.
            </Text>
          ) : (
            <Stack gap={6} data-testid="share-list">
              {shares.map((s) => (
                <Group key={s.id} justify="space-between" wrap="nowrap" data-testid="share-row">
                  <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
                    {s.kind === "group" ? <IconUsers size={16} aria-hidden /> : s.kind === "project" ? <IconFolder size={16} aria-hidden /> : <IconUser size={16} aria-hidden />}
                    <Text size="sm" truncate>
                      {s.name}
                    </Text>
                    <Badge variant="light" size="sm">
                      {s.kind}
                    </Badge>
                  </Group>
                  <Group gap="xs" wrap="nowrap">
                    <Select aria-label={`Permission of ${s.name}`} data={PERMISSIONS} value={s.permission} onChange={(v) => v && v !== s.permission && void save(s.kind, s.targetId, v as SharePermission)} w={120} allowDeselect={false} />
                    <ActionIcon variant="subtle" color="red" aria-label={`Stop sharing with ${s.name}`} onClick={() => void revoke(s)} data-testid="share-revoke">
                      <IconTrash size={16} aria-hidden />
                    </ActionIcon>
                  </Group>
                </Group>
              ))}
            </Stack>
          )}
        </Stack>
      </Modal>
    </>
  );
}
