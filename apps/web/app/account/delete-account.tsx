"use client";

import { Alert, Anchor, Button, List, Paper, Stack, Text, Title } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { api, describeError } from "../../lib/browser-api";
import { ConfirmField } from "../orgs/[orgId]/confirm-field";
import { ErrorBox, useSubmit } from "../ui/form";
import { showNotice } from "../orgs/[orgId]/show-notice";

type OrgRef = { id: string; name: string };
interface Preview {
  notebooks: number;
  organisationsDeleted: OrgRef[];
  blockedBy: OrgRef[];
}

const orgLink = (o: OrgRef) => (
  <Anchor component={Link} href={`/orgs/${encodeURIComponent(o.id)}`} underline="always">
    {o.name}
  </Anchor>
);
const joined = (list: OrgRef[]) => list.map((o, i) => <span key={o.id}>{i > 0 ? (i === list.length - 1 ? " and " : ", ") : ""}{orgLink(o)}</span>);

/**
 * Deleting one's own account: what goes with it (GET /api/me/deletion), what stands in the way
 * (organisations where the person is the last owner with other members), the email typed and the
 * password; then signed out, on the sign-in page, with a notice.
 */
export function DeleteAccount({ email, hasPassword, onDeleted }: { email: string; hasPassword: boolean; onDeleted: () => void }) {
  const [preview, setPreview] = useState<Preview | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const reloadPreview = useCallback(() => api<Preview>("/api/me/deletion").then(setPreview, (error: unknown) => setProblem(describeError(error))), []);
  useEffect(() => {
    void reloadPreview();
  }, [reloadPreview]);

  const remove = useSubmit(
    (v) => api<Preview>("/api/me", { method: "DELETE", body: { confirm: v.confirm ?? "", ...(hasPassword ? { password: v.password ?? "" } : {}) } }),
    (r) => {
      const orgs = r.organisationsDeleted.length ? ` ${r.organisationsDeleted.map((o) => o.name).join(", ")} ${r.organisationsDeleted.length === 1 ? "was" : "were"} deleted with it.` : "";
      showNotice("Account deleted", `Your account ${email} is deleted and you are signed out.${orgs}`);
      onDeleted();
    },
  );
  // A refusal (the last owner somewhere) may be news: read again what stands in the way.
  useEffect(() => {
    if (remove.error?.code === "account.last_owner") void reloadPreview();
  }, [remove.error, reloadPreview]);

  return (
    <Paper withBorder radius="md" p="lg" mt="md" component="section" aria-labelledby="delete-account" data-testid="delete-account" style={{ borderColor: "var(--mantine-color-red-filled)" }}>
      <Stack gap="sm">
        <Title order={2} id="delete-account" size="h3">
          Delete your account
        </Title>
        {problem ? (
          <Alert color="red" variant="light" role="alert">
            {problem}
          </Alert>
        ) : null}
        {preview ? (
          <div data-testid="account-deletion-preview">
            <Text size="sm">Deleting your account removes, at once and for good:</Text>
            <List size="sm" spacing={2} mt={4}>
              <List.Item>your sign-in, sessions on every device, and your API keys</List.Item>
              <List.Item>your memberships of every organisation and its groups</List.Item>
              <List.Item>
                {preview.notebooks === 1 ? "1 notebook" : `${preview.notebooks} notebooks`} of yours in organisations that stay, with their messages and files (what you wrote in others&apos; shared places stays)
              </List.Item>
              {preview.organisationsDeleted.length ? (
                <List.Item data-testid="organisations-deleted">the organisations where you are the only member, with all their data: {joined(preview.organisationsDeleted)}</List.Item>
              ) : null}
            </List>
            <Text size="sm" mt={6}>
              The data and files go in the background. This cannot be undone.
            </Text>
          </div>
        ) : !problem ? (
          <Text size="sm">Loading what would be removed…</Text>
        ) : null}
        {preview && preview.blockedBy.length ? (
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} aria-hidden />} title="First, hand over what you own" data-testid="blocked-by">
            <Text size="sm">
              You are the last owner of {joined(preview.blockedBy)}, which {preview.blockedBy.length === 1 ? "has" : "have"} other members. Open {preview.blockedBy.length === 1 ? "it" : "each"}, make another member an owner (or delete the organisation in its Danger zone), then come back here.
            </Text>
          </Alert>
        ) : null}
        <form onSubmit={remove.onSubmit} noValidate>
          <Stack gap="sm">
            <ConfirmField name="confirm" id="delete-account-confirm" label={`Type your email address, ${email}, to confirm`} type="email" error={remove.error} />
            {hasPassword ? <ConfirmField name="password" id="delete-account-password" label="Your password" type="password" autoComplete="current-password" error={remove.error} /> : null}
            <ErrorBox error={remove.error} />
            <Button type="submit" color="red" leftSection={<IconAlertTriangle size={16} aria-hidden />} loading={remove.pending} data-testid="delete-account-submit">
              Delete my account
            </Button>
          </Stack>
        </form>
      </Stack>
    </Paper>
  );
}
