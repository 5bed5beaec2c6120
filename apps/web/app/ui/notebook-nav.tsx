"use client";

import { Anchor, AppShell, Button, Divider, Group, NavLink, Stack, Text, TextInput } from "@mantine/core";
import { IconBuilding, IconCreditCard, IconFolder, IconFolderPlus, IconNotebook, IconPlus, IconSearch, IconShieldLock } from "@tabler/icons-react";
import type { Notebook, NotebookPage, Project, SharedNotebook } from "@tandem/client/contract";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { memo, useCallback, useEffect, useMemo, useState } from "react";
import { api, describeError } from "../../lib/browser-api";
import { useLive } from "../../lib/live";

/** Sent (on window) by a page that changed the notebooks (a new one, a new title): the sidebar reloads its list. */
export const NOTEBOOKS_CHANGED = "tandem:notebooks-changed";
export function notebooksChanged() {
  window.dispatchEvent(new Event(NOTEBOOKS_CHANGED));
}

/** A section of the list: a project with one's notebooks in it, one's other notebooks, those shared with one. */
export interface NotebookSection {
  readonly key: string;
  readonly label: string;
  /** A project's section: its page. */
  readonly project?: Project;
  readonly notebooks: readonly Notebook[];
}

/**
 * Newest activity first, filtered by title, grouped by project: each project (by name) with one's
 * notebooks in it, then one's notebooks in none, then those shared with one. A project whose name
 * matches the filter shows all its notebooks.
 */
export function sectionsOf(notebooks: readonly Notebook[], filter: string, shared: readonly SharedNotebook[] = [], projects: readonly Project[] = []): NotebookSection[] {
  const needle = filter.trim().toLocaleLowerCase();
  const matches = (text: string) => !needle || text.toLocaleLowerCase().includes(needle);
  const newest = (list: readonly Notebook[]) => [...list].sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
  const pick = (list: readonly Notebook[]) => newest(list.filter((n) => matches(n.title)));
  const known = new Set(projects.map((p) => p.id));
  const sections: NotebookSection[] = [];
  for (const project of [...projects].sort((a, b) => a.name.localeCompare(b.name))) {
    const inIt = notebooks.filter((n) => n.projectId === project.id);
    const shown = matches(project.name) ? newest(inIt) : pick(inIt);
    if (!needle || matches(project.name) || shown.length) sections.push({ key: `project:${project.id}`, label: project.name, project, notebooks: shown });
  }
  sections.push({ key: "all", label: "Notebooks", notebooks: pick(notebooks.filter((n) => !n.projectId || !known.has(n.projectId))) });
  const others = pick(shared);
  if (others.length) sections.push({ key: "shared", label: "Shared with me", notebooks: others });
  return sections;
}

/**
 * The sidebar of an organisation's workspace: its notebooks (searchable), a new one, and its pages.
 * Memoised: the shell around it renders again for reasons of its own (the session, the drawer).
 */
export const NotebookNav = memo(function NotebookNav({ orgId, admin, operator }: { orgId: string; admin: boolean; operator: boolean }) {
  const pathname = usePathname() ?? "";
  const router = useRouter();
  const base = `/api/orgs/${encodeURIComponent(orgId)}/notebooks`;
  const [notebooks, setNotebooks] = useState<Notebook[] | undefined>();
  const [shared, setShared] = useState<SharedNotebook[]>([]);
  const [projects, setProjects] = useState<Project[]>([]);
  const [filter, setFilter] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);

  // The three lists together, shown in one render (the sidebar is on every page of the organisation).
  const load = useCallback(() => {
    const org = `/api/orgs/${encodeURIComponent(orgId)}`;
    void Promise.all([
      api<NotebookPage>(`${base}?limit=100`).then(
        (page) => ({ notebooks: page.notebooks, problem: undefined }),
        (error: unknown) => ({ notebooks: undefined, problem: describeError(error) }),
      ),
      api<{ notebooks: SharedNotebook[] }>(`${org}/shared-notebooks`).then(
        (r) => r.notebooks,
        () => [] as SharedNotebook[],
      ),
      api<{ projects: Project[] }>(`${org}/projects`).then(
        (r) => r.projects,
        () => [] as Project[],
      ),
    ]).then(([own, sharedList, projectList]) => {
      if (own.notebooks) setNotebooks(own.notebooks);
      setProblem(own.problem);
      setShared(sharedList);
      setProjects(projectList);
    });
  }, [base, orgId]);
  // Again on every page change: a notebook opened, renamed or written in moves up.
  useEffect(load, [load, pathname]);
  useEffect(() => {
    setNotebooks(undefined);
    setShared([]);
    setProjects([]);
  }, [orgId]);
  // A notebook made, renamed or deleted elsewhere (another tab, a collaborator): the list follows.
  useLive(orgId, { list: true }, { onEvent: (e) => e.kind.startsWith("notebook.") && load(), onResync: load });
  useEffect(() => {
    window.addEventListener(NOTEBOOKS_CHANGED, load);
    return () => window.removeEventListener(NOTEBOOKS_CHANGED, load);
  }, [load]);

  async function create() {
    setCreating(true);
    setProblem(undefined);
    try {
      const made = await api<{ notebook: Notebook }>(base, { body: { title: "Untitled notebook" } });
      setNotebooks((list) => [made.notebook, ...(list ?? [])]);
      router.push(`/orgs/${encodeURIComponent(orgId)}/notebooks/${made.notebook.id}`);
    } catch (error) {
      setProblem(describeError(error));
    } finally {
      setCreating(false);
    }
  }

  const sections = useMemo(() => sectionsOf(notebooks ?? [], filter, shared, projects), [notebooks, filter, shared, projects]);
  const orgPath = `/orgs/${encodeURIComponent(orgId)}`;
  return (
    <>
      <AppShell.Section p="sm">
        <Stack gap="xs">
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => void create()} loading={creating} fullWidth data-testid="sidebar-new-notebook">
            New notebook
          </Button>
          <TextInput
            aria-label="Filter notebooks"
            placeholder="Search notebooks"
            leftSection={<IconSearch size={16} aria-hidden />}
            value={filter}
            onChange={(e) => setFilter(e.currentTarget.value)}
            type="search"
            data-testid="sidebar-search"
          />
          {problem ? (
            <Text size="sm" c="red" role="alert">
              {problem}
            </Text>
          ) : null}
        </Stack>
      </AppShell.Section>
      {/* The browser's own scrolling (Mantine's ScrollArea measured itself as the page started, a cost on phones). */}
      <AppShell.Section grow px="sm" style={{ overflowY: "auto", minHeight: 0 }}>
        {sections.some((s) => s.project) || !filter ? (
          <Group justify="space-between" px="xs" py={4} wrap="nowrap">
            <Text size="xs" fw={700} c="dimmed" tt="uppercase">
              Projects
            </Text>
            <Anchor component={Link} prefetch={false} href={`${orgPath}/projects?new=1`} size="xs" data-testid="sidebar-new-project">
              <Group gap={4} wrap="nowrap">
                <IconFolderPlus size={14} aria-hidden />
                New project
              </Group>
            </Anchor>
          </Group>
        ) : null}
        {sections.map((section) => (
          <div key={section.key} role="group" aria-label={section.project ? `Project ${section.label}` : section.label} data-testid={section.project ? "sidebar-project" : "sidebar-notebooks"}>
            {section.project ? (
              <NavLink
                component={Link} prefetch={false}
                href={`${orgPath}/projects/${section.project.id}`}
                label={section.label}
                active={pathname === `${orgPath}/projects/${section.project.id}`}
                aria-current={pathname === `${orgPath}/projects/${section.project.id}` ? "page" : undefined}
                leftSection={<IconFolder size={16} aria-hidden />}
                styles={{ label: { overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", fontWeight: 600 } }}
                data-testid="sidebar-project-link"
              />
            ) : (
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="xs" py={4} mt={section.key === "all" ? "sm" : undefined}>
                {section.label}
              </Text>
            )}
            {section.notebooks.map((n) => {
              const href = `${orgPath}/notebooks/${n.id}`;
              return (
                <NavLink
                  key={n.id}
                  component={Link} prefetch={false}
                  href={href}
                  label={n.title}
                  description={section.key === "shared" && "ownerName" in n ? `${String(n.ownerName)}${(n as SharedNotebook).access === "read" ? " · read only" : ""}` : undefined}
                  active={pathname === href}
                  aria-current={pathname === href ? "page" : undefined}
                  leftSection={<IconNotebook size={16} aria-hidden />}
                  pl={section.project ? "lg" : undefined}
                  styles={{ label: { overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" } }}
                  data-testid="sidebar-notebook"
                />
              );
            })}
            {notebooks && section.key === "all" && section.notebooks.length === 0 ? (
              <Text size="sm" c="dimmed" px="xs" py="xs" data-testid="sidebar-empty">
                {filter ? "No notebook matches." : "No notebooks yet."}
              </Text>
            ) : null}
          </div>
        ))}
      </AppShell.Section>
      <AppShell.Section p="sm">
        <Divider mb="xs" />
        <nav aria-label="Organisation pages">
          <NavLink component={Link} prefetch={false} href={orgPath} label="Organisation" leftSection={<IconBuilding size={16} aria-hidden />} active={pathname === orgPath} data-testid="nav-org" />
          <NavLink component={Link} prefetch={false} href={`${orgPath}/projects`} label="Projects" leftSection={<IconFolder size={16} aria-hidden />} active={pathname === `${orgPath}/projects`} data-testid="nav-projects" />
          <NavLink component={Link} prefetch={false} href={`${orgPath}/notebooks`} label="All notebooks" leftSection={<IconNotebook size={16} aria-hidden />} active={pathname === `${orgPath}/notebooks`} data-testid="nav-notebooks" />
          {admin ? (
            <NavLink component={Link} prefetch={false} href={`${orgPath}/billing`} label="Billing" leftSection={<IconCreditCard size={16} aria-hidden />} active={pathname === `${orgPath}/billing`} data-testid="nav-billing" />
          ) : null}
          {operator ? <NavLink component={Link} prefetch={false} href="/admin" label="Admin" leftSection={<IconShieldLock size={16} aria-hidden />} data-testid="nav-admin" /> : null}
        </nav>
      </AppShell.Section>
    </>
  );
});
