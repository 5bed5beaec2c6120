"use client";

import { Button, Group, Modal, Select, Stack, Text } from "@mantine/core";
import type { Notebook, Project } from "@tandem/client/contract";
import { useEffect, useState } from "react";
import { api, describeError } from "../../../../../lib/browser-api";

const NONE = "none";

/** Puts the notebook in one of the projects one is in, or takes it out of its project (its owner). */
export function MoveToProject({ orgId, notebook, opened, onClose, onMoved }: { orgId: string; notebook: Notebook; opened: boolean; onClose(): void; onMoved(notebook: Notebook): void }) {
  const org = `/api/orgs/${encodeURIComponent(orgId)}`;
  const [projects, setProjects] = useState<Project[] | undefined>();
  const [choice, setChoice] = useState<string>(notebook.projectId ?? NONE);
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setChoice(notebook.projectId ?? NONE);
    setProblem(undefined);
    api<{ projects: Project[] }>(`${org}/projects`).then(
      (r) => setProjects(r.projects),
      (error: unknown) => setProblem(describeError(error)),
    );
  }, [opened, org, notebook.projectId]);

  async function save() {
    setBusy(true);
    setProblem(undefined);
    try {
      const r = await api<{ notebook: Notebook }>(`${org}/notebooks/${encodeURIComponent(notebook.id)}`, { method: "PATCH", body: { projectId: choice === NONE ? null : choice } });
      onMoved(r.notebook);
      onClose();
    } catch (error) {
      setProblem(describeError(error));
    } finally {
      setBusy(false);
    }
  }

  const data = [{ value: NONE, label: "No project" }, ...(projects ?? []).map((p) => ({ value: p.id, label: p.name }))];
  return (
    <Modal opened={opened} onClose={onClose} title="Move to a project" closeButtonProps={{ "aria-label": "Close" }}>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          In a project, the notebook follows the project&apos;s instructions and its replies draw on the project&apos;s files. It stays yours: share it with the project to let its members see it.
        </Text>
        <Select label="Project" data={data} value={choice} onChange={(v) => setChoice(v ?? NONE)} allowDeselect={false} disabled={!projects} data-testid="move-project-select" />
        {projects && projects.length === 0 ? (
          <Text size="sm">You are in no project yet. Start one from Projects in the sidebar.</Text>
        ) : null}
        {problem ? (
          <Text size="sm" c="red" role="alert">
            {problem}
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => void save()} loading={busy} disabled={!projects || choice === (notebook.projectId ?? NONE)} data-testid="move-project-save">
            Move
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
