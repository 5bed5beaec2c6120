"use client";

import { Anchor, Badge, Button, Card, Group, Paper, SimpleGrid, Stack, Text, Textarea, Title } from "@mantine/core";
import { IconFolder } from "@tabler/icons-react";
import type { Project } from "@tandem/client/contract";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiProblem, describeError } from "../../../../lib/browser-api";
import { ErrorBox, Field, useSubmit } from "../../../ui/form";
import { notebooksChanged } from "../../../ui/notebook-nav";
import { PageState } from "../page-state";

/** The projects one owns or is in, and a form to start one (anyone in the organisation may). */
export default function ProjectsPage({ params }: { params: { orgId: string } }) {
  const router = useRouter();
  const focusNew = useSearchParams()?.get("new") === "1";
  const base = `/api/orgs/${encodeURIComponent(params.orgId)}`;
  const orgPath = `/orgs/${encodeURIComponent(params.orgId)}`;
  const [projects, setProjects] = useState<Project[] | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const nameInput = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    try {
      setProjects((await api<{ projects: Project[] }>(`${base}/projects`)).projects);
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) window.location.href = `/sign-in?next=${orgPath}/projects`;
      else setProblem(describeError(error));
    }
  }, [base, orgPath]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (focusNew && projects) nameInput.current?.querySelector("input")?.focus();
  }, [focusNew, projects]);

  const create = useSubmit(
    (v) => api<{ project: Project }>(`${base}/projects`, { body: { name: v.name ?? "", ...(v.instructions ? { instructions: v.instructions } : {}) } }),
    (r) => {
      notebooksChanged();
      router.push(`${orgPath}/projects/${r.project.id}`);
    },
  );

  if (!projects) return <PageState problem={problem} />;
  return (
    <main>
      <Title order={1}>Projects</Title>
      <Text className="lead" component="p">
        A project groups notebooks: its instructions and its files apply to every notebook in it, and its members see the notebooks shared with it.
      </Text>
      <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="new-project-title">
        <form onSubmit={create.onSubmit} noValidate data-testid="create-project">
          <Stack gap="sm">
            <Title order={2} id="new-project-title" size="h3">
              New project
            </Title>
            <div ref={nameInput}>
              <Field name="name" id="field-project-name" label="Project name" error={create.error} hint="For example Q3 launch, or Customer research" />
            </div>
            <Textarea name="instructions" id="field-project-instructions" label="Instructions (optional)" description="Given to the model in every notebook of the project, before the notebook's own system prompt." autosize minRows={2} maxRows={8} />
            <ErrorBox error={create.error} />
            <Button type="submit" loading={create.pending} style={{ alignSelf: "flex-start" }}>
              Create project
            </Button>
          </Stack>
        </form>
      </Paper>
      {projects.length === 0 ? (
        <Text size="sm" c="dimmed" mt="md" data-testid="no-projects">
          You are in no project yet. Start one above, or ask a project&apos;s owner to add you.
        </Text>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2 }} mt="md" data-testid="projects">
          {projects.map((p) => (
            <Card key={p.id} withBorder radius="md" padding="md" data-testid="project-card">
              <Group gap="xs" wrap="nowrap">
                <IconFolder size={18} aria-hidden />
                <Anchor component={Link} href={`${orgPath}/projects/${p.id}`} fw={600} style={{ overflowWrap: "anywhere" }}>
                  {p.name}
                </Anchor>
                {p.role === "owner" ? (
                  <Badge size="sm" variant="light">
                    owner
                  </Badge>
                ) : null}
              </Group>
              <Text size="sm" c="dimmed" mt={4}>
                {p.memberCount} {p.memberCount === 1 ? "member" : "members"} · owned by {p.ownerName}
              </Text>
              {p.instructions ? (
                <Text size="sm" mt={6} lineClamp={2}>
                  {p.instructions}
                </Text>
              ) : null}
            </Card>
          ))}
        </SimpleGrid>
      )}
    </main>
  );
}
