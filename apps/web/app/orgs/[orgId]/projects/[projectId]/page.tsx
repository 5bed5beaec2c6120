"use client";

import { ActionIcon, Alert, Anchor, Badge, Button, Group, Select, Stack, Text, Textarea, TextInput, Title, Tooltip } from "@mantine/core";
import { IconFolder, IconNotebook, IconPencil, IconPlus, IconTrash, IconUserMinus } from "@tabler/icons-react";
import type { Member, Notebook, ProjectDetailResponse } from "@tandem/client/contract";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState, type DragEvent } from "react";
import { api, ApiProblem, describeError } from "../../../../../lib/browser-api";
import { useKnowledgeFiles } from "../../../../../lib/knowledge-files";
import { confirmAction } from "../../../../ui/confirm";
import { notebooksChanged } from "../../../../ui/notebook-nav";
import { useSession } from "../../../../ui/session";
import { FilesList } from "../../notebooks/[notebookId]/files-panel";
import { PageState } from "../../page-state";
import { Section } from "../../section";

/**
 * A project: its instructions and files (which every notebook in it gets), its notebooks (one's own
 * in it, and those shared with it), its members. Its owner changes all of these; members use it,
 * put their notebooks in it, and may leave it.
 */
export default function ProjectPage({ params }: { params: { orgId: string; projectId: string } }) {
  const router = useRouter();
  const session = useSession();
  const selfId = session.status === "signed-in" ? session.me.account.id : undefined;
  const org = `/api/orgs/${encodeURIComponent(params.orgId)}`;
  const base = `${org}/projects/${encodeURIComponent(params.projectId)}`;
  const orgPath = `/orgs/${encodeURIComponent(params.orgId)}`;
  const [data, setData] = useState<ProjectDetailResponse | undefined>();
  const [members, setMembers] = useState<Member[]>([]);
  const [problem, setProblem] = useState<string | undefined>();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState("");
  const [instructions, setInstructions] = useState("");
  const [saved, setSaved] = useState<string | undefined>();
  const [adding, setAdding] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const { files, uploads, reloadFiles, attachAll, removeFile } = useKnowledgeFiles(
    `${base}/files`,
    setProblem,
    "The file and its passages are removed from the project: no notebook in it draws on them any more. Replies that cited it keep their text. This cannot be undone.",
  );

  const load = useCallback(async () => {
    try {
      const detail = await api<ProjectDetailResponse>(base);
      setData(detail);
      setInstructions(detail.project.instructions);
      setName(detail.project.name);
      if (detail.project.role === "owner") setMembers((await api<{ members: Member[] }>(`${org}/members`)).members);
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) window.location.href = `/sign-in?next=${orgPath}/projects/${params.projectId}`;
      else setProblem(describeError(error));
    }
  }, [base, org, orgPath, params.projectId]);
  useEffect(() => {
    void load();
    void reloadFiles();
  }, [load, reloadFiles]);

  /** One change; refusals show at the top, successes say what happened. */
  async function change(run: () => Promise<unknown>, done: string): Promise<boolean> {
    setProblem(undefined);
    setSaved(undefined);
    setBusy(true);
    try {
      await run();
      setSaved(done);
      await load();
      return true;
    } catch (error) {
      setProblem(describeError(error));
      return false;
    } finally {
      setBusy(false);
    }
  }

  if (!data) return <PageState problem={problem} />;
  const { project, notebooks } = data;
  const owner = project.role === "owner";
  const inProject = new Set(data.members.map((m) => m.userId));
  const candidates = members.filter((m) => !inProject.has(m.userId)).map((m) => ({ value: m.userId, label: `${m.name} (${m.email})` }));

  async function newNotebook() {
    setProblem(undefined);
    try {
      const made = await api<{ notebook: Notebook }>(`${org}/notebooks`, { body: { title: "Untitled notebook", projectId: project.id } });
      notebooksChanged();
      router.push(`${orgPath}/notebooks/${made.notebook.id}`);
    } catch (error) {
      setProblem(describeError(error));
    }
  }

  async function deleteProject() {
    const sure = await confirmAction({
      title: `Delete the project ${project.name}?`,
      body: `Its ${files.length === 1 ? "file" : `${files.length} files`} and instructions are deleted, and the notebooks shared with it are no longer shared with its members. The notebooks in it stay their owners', outside any project. This cannot be undone.`,
      confirmLabel: "Delete project",
    });
    if (!sure) return;
    if (await change(() => api(base, { method: "DELETE" }), "")) {
      notebooksChanged();
      router.push(`${orgPath}/projects`);
    }
  }

  async function removeMember(userId: string, who: string) {
    const sure = await confirmAction({
      title: `Remove ${who} from ${project.name}?`,
      body: `${who} will no longer see the project, its files, or the notebooks shared with it. Their own notebooks stay theirs.`,
      confirmLabel: "Remove",
    });
    if (sure) await change(() => api(`${base}/members/${userId}`, { method: "DELETE" }), `${who} is no longer in the project.`);
  }

  async function leave() {
    const sure = await confirmAction({
      title: `Leave ${project.name}?`,
      body: "You will no longer see the project, its files, or the notebooks shared with it. Your own notebooks in it stay yours.",
      confirmLabel: "Leave project",
    });
    if (sure && selfId && (await change(() => api(`${base}/members/${selfId}`, { method: "DELETE" }), ""))) {
      notebooksChanged();
      router.push(`${orgPath}/projects`);
    }
  }

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const dropped = [...e.dataTransfer.files];
    if (owner && dropped.length) attachAll(dropped);
  };

  return (
    <main onDragOver={(e) => owner && (e.preventDefault(), setDragging(true))} onDragLeave={() => setDragging(false)} onDrop={onDrop} data-testid="project-page">
      <Group gap="xs" wrap="nowrap" align="center">
        <IconFolder size={28} aria-hidden />
        {renaming ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void change(() => api(base, { method: "PATCH", body: { name } }), "The project is renamed.").then((ok) => ok && setRenaming(false));
            }}
            style={{ flex: 1 }}
          >
            <Group gap="xs" wrap="nowrap">
              <TextInput aria-label="Project name" value={name} onChange={(e) => setName(e.currentTarget.value)} style={{ flex: 1 }} autoFocus data-testid="project-name-input" />
              <Button type="submit" loading={busy}>
                Save
              </Button>
              <Button variant="default" onClick={() => setRenaming(false)}>
                Cancel
              </Button>
            </Group>
          </form>
        ) : (
          <>
            <Title order={1} style={{ overflowWrap: "anywhere" }} data-testid="project-title">
              {project.name}
            </Title>
            {owner ? (
              <Tooltip label="Rename">
                <ActionIcon variant="subtle" aria-label="Rename the project" onClick={() => setRenaming(true)}>
                  <IconPencil size={16} aria-hidden />
                </ActionIcon>
              </Tooltip>
            ) : null}
          </>
        )}
      </Group>
      <Text className="lead" component="p">
        Owned by {project.ownerName} · {project.memberCount} {project.memberCount === 1 ? "member" : "members"} ·{" "}
        <Anchor component={Link} href={`${orgPath}/projects`} underline="always">
          All projects
        </Anchor>
      </Text>
      {saved ? (
        <Alert color="green" variant="light" role="status" data-testid="project-note">
          {saved}
        </Alert>
      ) : null}
      {problem ? (
        <Alert color="red" variant="light" role="alert" data-testid="project-error" mt="xs">
          {problem}
        </Alert>
      ) : null}
      {dragging ? (
        <Alert variant="light" mt="xs">
          Drop files to add them to the project.
        </Alert>
      ) : null}

      <Section id="project-notebooks" title="Notebooks" testId="project-notebooks">
        <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => void newNotebook()} style={{ alignSelf: "flex-start" }} data-testid="project-new-notebook">
          New notebook in this project
        </Button>
        {notebooks.length === 0 ? (
          <Text size="sm" c="dimmed">
            No notebooks here yet. Start one, or move one of yours here from its menu. Share a notebook with the project to let its members see it.
          </Text>
        ) : (
          <Stack gap={4} component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
            {notebooks.map((n) => (
              <Group key={n.id} component="li" gap="xs" wrap="nowrap" data-testid="project-notebook">
                <IconNotebook size={16} aria-hidden />
                <Anchor component={Link} href={`${orgPath}/notebooks/${n.id}`} style={{ overflowWrap: "anywhere" }}>
                  {n.title}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {n.access === "owner" ? "yours" : `${n.ownerName}${n.access === "read" ? " · read only" : ""}`}
                </Text>
              </Group>
            ))}
          </Stack>
        )}
      </Section>

      <Section id="project-instructions" title="Instructions" testId="project-instructions">
        {owner ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void change(() => api(base, { method: "PATCH", body: { instructions } }), "The instructions are saved; the next reply in each notebook of the project follows them.");
            }}
          >
            <Stack gap="xs">
              <Textarea
                label="Instructions for every notebook in the project"
                description="Given to the model before each notebook's own system prompt."
                value={instructions}
                onChange={(e) => setInstructions(e.currentTarget.value)}
                autosize
                minRows={3}
                maxRows={14}
                data-testid="project-instructions-input"
              />
              <Button type="submit" loading={busy} disabled={instructions === project.instructions} style={{ alignSelf: "flex-start" }}>
                Save instructions
              </Button>
            </Stack>
          </form>
        ) : (
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
            {project.instructions || "This project has no instructions."}
          </Text>
        )}
      </Section>

      <Section id="project-files" title="Files" testId="project-files">
        <Text size="sm" c="dimmed">
          Replies in every notebook of the project are grounded in these files too, and cite their pages.{owner ? " Drop files anywhere on this page, or choose them." : " Only the project's owner adds and removes them."}
        </Text>
        <input ref={fileInput} type="file" multiple hidden aria-hidden tabIndex={-1} onChange={(e) => (attachAll([...(e.currentTarget.files ?? [])]), (e.currentTarget.value = ""))} data-testid="project-file-input" />
        <FilesList files={files} uploads={uploads} onRemove={owner ? (f) => void removeFile(f) : undefined} onAttach={owner ? () => fileInput.current?.click() : undefined} />
      </Section>

      <Section id="project-members" title="Members" testId="project-members">
        {owner ? (
          <Group align="flex-end" gap="xs" wrap="wrap">
            <Select
              label="Add a member of the organisation"
              placeholder={candidates.length ? "Pick a member" : "Everyone is in the project"}
              data={candidates}
              value={adding}
              onChange={setAdding}
              searchable
              style={{ flex: 1, minWidth: 220 }}
              nothingFoundMessage="No member by that name"
              data-testid="project-add-member"
            />
            <Button
              disabled={!adding}
              loading={busy}
              onClick={() => {
                const who = members.find((m) => m.userId === adding);
                if (adding) void change(() => api(`${base}/members/${adding}`, { method: "PUT" }), `${who?.name ?? "The member"} is in the project.`).then(() => setAdding(null));
              }}
              data-testid="project-add-member-submit"
            >
              Add
            </Button>
          </Group>
        ) : null}
        <Stack gap={6} component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {data.members.map((m) => (
            <Group key={m.userId} component="li" justify="space-between" wrap="nowrap" data-testid="project-member">
              <div style={{ minWidth: 0 }}>
                <Text size="sm" fw={500} truncate>
                  {m.name}{" "}
                  {m.role === "owner" ? (
                    <Badge size="sm" variant="light">
                      owner
                    </Badge>
                  ) : null}
                </Text>
                <Text size="xs" c="dimmed" truncate>
                  {m.email}
                </Text>
              </div>
              {m.role !== "owner" && owner ? (
                <Button size="compact-sm" variant="subtle" color="red" leftSection={<IconUserMinus size={14} aria-hidden />} onClick={() => void removeMember(m.userId, m.name)} aria-label={`Remove ${m.name} from the project`}>
                  Remove
                </Button>
              ) : null}
            </Group>
          ))}
        </Stack>
        {!owner ? (
          <Button variant="default" color="red" style={{ alignSelf: "flex-start" }} onClick={() => void leave()} data-testid="project-leave">
            Leave project
          </Button>
        ) : null}
      </Section>

      {owner ? (
        <Section id="project-danger" title="Danger zone" testId="project-danger">
          <Text size="sm">Deleting the project deletes its files and instructions. Its notebooks stay their owners&apos;.</Text>
          <Button color="red" variant="outline" leftSection={<IconTrash size={16} aria-hidden />} onClick={() => void deleteProject()} style={{ alignSelf: "flex-start" }} data-testid="project-delete">
            Delete project
          </Button>
        </Section>
      ) : null}
    </main>
  );
}
