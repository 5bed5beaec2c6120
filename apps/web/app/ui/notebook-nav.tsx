"use client";

import { AppShell, Button, Divider, NavLink, ScrollArea, Stack, Text, TextInput } from "@mantine/core";
import { IconBuilding, IconCreditCard, IconNotebook, IconPlus, IconSearch, IconShieldLock } from "@tabler/icons-react";
import type { Notebook, NotebookPage, SharedNotebook } from "@tandem/client/contract";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import { api, describeError } from "../../lib/browser-api";
import { useLive } from "../../lib/live";

/** Sent (on window) by a page that changed the notebooks (a new one, a new title): the sidebar reloads its list. */
export const NOTEBOOKS_CHANGED = "tandem:notebooks-changed";
export function notebooksChanged() {
  window.dispatchEvent(new Event(NOTEBOOKS_CHANGED));
}

/** A section of the list: one's own notebooks, then those shared with one (projects will add a section each). */
export interface NotebookSection {
  readonly key: string;
  readonly label: string;
  readonly notebooks: readonly Notebook[];
}

/** Newest activity first, filtered by title; the one place where grouping by project will go. */
export function sectionsOf(notebooks: readonly Notebook[], filter: string, shared: readonly SharedNotebook[] = []): NotebookSection[] {
  const needle = filter.trim().toLocaleLowerCase();
  const pick = (list: readonly Notebook[]) => list.filter((n) => !needle || n.title.toLocaleLowerCase().includes(needle)).sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
  const sections: NotebookSection[] = [{ key: "all", label: "Notebooks", notebooks: pick(notebooks) }];
  const others = pick(shared);
  if (others.length) sections.push({ key: "shared", label: "Shared with me", notebooks: others });
  return sections;
}

/** The sidebar of an organisation's workspace: its notebooks (searchable), a new one, and its pages. */
export function NotebookNav({ orgId, admin, operator }: { orgId: string; admin: boolean; operator: boolean }) {
  const pathname = usePathname() ?? "";
  const router = useRouter();
  const base = `/api/orgs/${encodeURIComponent(orgId)}/notebooks`;
  const [notebooks, setNotebooks] = useState<Notebook[] | undefined>();
  const [shared, setShared] = useState<SharedNotebook[]>([]);
  const [filter, setFilter] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);

  const load = useCallback(() => {
    api<NotebookPage>(`${base}?limit=100`).then(
      (page) => {
        setNotebooks(page.notebooks);
        setProblem(undefined);
      },
      (error: unknown) => setProblem(describeError(error)),
    );
    api<{ notebooks: SharedNotebook[] }>(`/api/orgs/${encodeURIComponent(orgId)}/shared-notebooks`).then(
      (r) => setShared(r.notebooks),
      () => setShared([]),
    );
  }, [base, orgId]);
  // Again on every page change: a notebook opened, renamed or written in moves up.
  useEffect(load, [load, pathname]);
  useEffect(() => {
    setNotebooks(undefined);
    setShared([]);
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

  const sections = useMemo(() => sectionsOf(notebooks ?? [], filter, shared), [notebooks, filter, shared]);
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
      <AppShell.Section grow component={ScrollArea} px="sm" type="auto">
        {sections.map((section) => (
          <div key={section.key} role="group" aria-label={section.label} data-testid="sidebar-notebooks">
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="xs" py={4}>
              {section.label}
            </Text>
            {section.notebooks.map((n) => {
              const href = `${orgPath}/notebooks/${n.id}`;
              return (
                <NavLink
                  key={n.id}
                  component={Link}
                  href={href}
                  label={n.title}
                  description={section.key === "shared" && "ownerName" in n ? `${String(n.ownerName)}${(n as SharedNotebook).access === "read" ? " · read only" : ""}` : undefined}
                  active={pathname === href}
                  aria-current={pathname === href ? "page" : undefined}
                  leftSection={<IconNotebook size={16} aria-hidden />}
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
          <NavLink component={Link} href={orgPath} label="Organisation" leftSection={<IconBuilding size={16} aria-hidden />} active={pathname === orgPath} data-testid="nav-org" />
          <NavLink component={Link} href={`${orgPath}/notebooks`} label="All notebooks" leftSection={<IconNotebook size={16} aria-hidden />} active={pathname === `${orgPath}/notebooks`} data-testid="nav-notebooks" />
          {admin ? (
            <NavLink component={Link} href={`${orgPath}/billing`} label="Billing" leftSection={<IconCreditCard size={16} aria-hidden />} active={pathname === `${orgPath}/billing`} data-testid="nav-billing" />
          ) : null}
          {operator ? <NavLink component={Link} href="/admin" label="Admin" leftSection={<IconShieldLock size={16} aria-hidden />} data-testid="nav-admin" /> : null}
        </nav>
      </AppShell.Section>
    </>
  );
}
