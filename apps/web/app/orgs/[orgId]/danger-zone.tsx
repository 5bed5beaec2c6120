"use client";

import { Alert, Button, List, Paper, Stack, Text, Title } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { api, describeError } from "../../../lib/browser-api";
import { ErrorBox, useSubmit } from "../../ui/form";
import { ConfirmField } from "./confirm-field";
import { useSession } from "../../ui/session";
import { showNotice } from "./show-notice";

interface Preview {
  members: number;
  notebooks: number;
  files: number;
  images: number;
  accessEnds: string;
  removedAfter: string;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const when = (iso: string) => new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });

/**
 * Owners only: deleting the organisation. Says what goes (from GET /deletion), asks for the handle
 * typed, and lets the API refuse a wrong one in its own words.
 */
export function DangerZone({ base, name, slug }: { base: string; name: string; slug: string }) {
  const router = useRouter();
  const session = useSession();
  const [preview, setPreview] = useState<Preview | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  useEffect(() => {
    api<Preview>(`${base}/deletion`).then(setPreview, (error: unknown) => setProblem(describeError(error)));
  }, [base]);

  const remove = useSubmit(
    (v) => api<Preview>(base, { method: "DELETE", body: { confirm: v.confirm ?? "" } }),
    (r) => {
      showNotice("Organisation deleted", `${name} is deleted. Nobody can open it any more; its data and files are removed for good by ${when(r.removedAfter)}.`);
      session.reload();
      router.push("/");
    },
  );

  return (
    <Paper withBorder radius="md" p="lg" mt="md" component="section" aria-labelledby="danger-zone" data-testid="danger-zone" style={{ borderColor: "var(--mantine-color-red-filled)" }}>
      <Stack gap="sm">
        <Title order={2} id="danger-zone" size="h3">
          Danger zone
        </Title>
        <Text fw={600}>Delete this organisation</Text>
        {problem ? (
          <Alert color="red" variant="light" role="alert">
            {problem}
          </Alert>
        ) : null}
        {preview ? (
          <div data-testid="deletion-preview">
            <Text size="sm">Deleting {name} removes, for everyone in it:</Text>
            <List size="sm" spacing={2} mt={4}>
              <List.Item>its {count(preview.members, "member", "members")}&apos; access, at once (their own accounts stay)</List.Item>
              <List.Item>{count(preview.notebooks, "notebook", "notebooks")} with their messages</List.Item>
              <List.Item>{count(preview.files, "knowledge file", "knowledge files")}</List.Item>
              <List.Item>{count(preview.images, "generated image", "generated images")}</List.Item>
              <List.Item>its groups, API keys, invitations, model settings and spend caps</List.Item>
            </List>
            <Text size="sm" mt={6}>
              Access ends {preview.accessEnds}. The data and files are removed for good in the background by {when(preview.removedAfter)}. This cannot be undone.
            </Text>
          </div>
        ) : !problem ? (
          <Text size="sm">Loading what would be removed…</Text>
        ) : null}
        <form onSubmit={remove.onSubmit} noValidate>
          <Stack gap="sm">
            <ConfirmField name="confirm" id="delete-org-confirm" label={`Type the organisation's handle, ${slug}, to confirm`} error={remove.error} />
            <ErrorBox error={remove.error} />
            <Button type="submit" color="red" leftSection={<IconAlertTriangle size={16} aria-hidden />} loading={remove.pending} data-testid="delete-org">
              Delete organisation
            </Button>
          </Stack>
        </form>
      </Stack>
    </Paper>
  );
}
