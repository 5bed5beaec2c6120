"use client";

import { Button, Stack, Text, Title } from "@mantine/core";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api } from "../../lib/browser-api";
import { Section } from "../orgs/[orgId]/section";
import { ErrorBox, Field, Notice, useSubmit } from "../ui/form";
import { useSession } from "../ui/session";
import { ThemeSwitch } from "../ui/theme-choice";
import { DeleteAccount } from "./delete-account";

export default function AccountPage() {
  const session = useSession();
  const router = useRouter();
  const [note, setNote] = useState<string | undefined>();
  // Once the account is deleted the page is on its way to the sign-in page (with its notice): no other redirect.
  const [deleted, setDeleted] = useState(false);
  const profile = useSubmit((v) => api("/api/me", { method: "PATCH", body: { name: v.name } }), () => {
    setNote("Your name is saved.");
    session.reload();
  });
  const password = useSubmit((v) => api("/api/me/password", { body: { currentPassword: v.currentPassword, newPassword: v.newPassword } }), () =>
    setNote("Your password is changed. Other devices were signed out."),
  { reset: true });
  const email = useSubmit((v) => api<{ status: string }>("/api/me/email", { body: { email: v.email, password: v.password } }), (r) => setNote(r.status), { reset: true });
  const everywhere = useSubmit(() => api("/api/auth/sign-out-everywhere", { method: "POST" }), () => {
    window.location.href = "/sign-in";
  });

  function onDeleted() {
    setDeleted(true);
    router.push("/sign-in");
    session.reload();
  }

  if (deleted)
    return (
      <main>
        <Text role="status">Your account is deleted. Taking you to the sign-in page…</Text>
      </main>
    );
  if (session.status === "signed-out") {
    if (typeof window !== "undefined") window.location.href = "/sign-in?next=/account";
    return null;
  }
  if (session.status !== "signed-in")
    return (
      <main>
        <Text role="status">Loading…</Text>
      </main>
    );
  const { account, linkedProviders } = session.me;
  return (
    <main>
      <Title order={1}>Account settings</Title>
      <Text className="lead" component="p" style={{ overflowWrap: "anywhere" }}>
        {account.email}
        {linkedProviders.length ? ` · signs in with ${linkedProviders.join(", ")}` : ""}
      </Text>
      {note ? <Notice testId="account-note">{note}</Notice> : null}

      <Section id="appearance" title="Appearance">
        <Text size="sm" c="dimmed">
          The theme follows you to every device you sign in on. System follows your device&apos;s setting.
        </Text>
        <ThemeSwitch />
      </Section>

      <Section id="profile" title="Profile">
        <form onSubmit={profile.onSubmit} noValidate>
          <Stack gap="sm">
            <Field name="name" label="Name" defaultValue={account.name} autoComplete="name" error={profile.error} />
            <ErrorBox error={profile.error} />
            <Button type="submit" loading={profile.pending}>
              Save
            </Button>
          </Stack>
        </form>
      </Section>

      {account.hasPassword ? (
        <Section id="password" title="Password">
          <form onSubmit={password.onSubmit} noValidate>
            <Stack gap="sm">
              <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" error={password.error} />
              <Field name="newPassword" label="New password" type="password" autoComplete="new-password" error={password.error} hint="At least 10 characters." />
              <ErrorBox error={password.error} />
              <Button type="submit" loading={password.pending}>
                Change password
              </Button>
            </Stack>
          </form>
        </Section>
      ) : null}

      {account.hasPassword ? (
        <Section id="email" title="Email address">
          <form onSubmit={email.onSubmit} noValidate>
            <Stack gap="sm">
              <Field name="email" label="New email" type="email" autoComplete="email" error={email.error} />
              <Field name="password" label="Your password" type="password" autoComplete="current-password" error={email.error} />
              <ErrorBox error={email.error} />
              <Button type="submit" loading={email.pending}>
                Send confirmation link
              </Button>
            </Stack>
          </form>
        </Section>
      ) : null}

      <Section id="devices" title="Devices">
        <form onSubmit={everywhere.onSubmit}>
          <Stack gap="sm">
            <Text size="sm">Lost a device, or signed in somewhere shared? End every session of your account.</Text>
            <ErrorBox error={everywhere.error} />
            <Button type="submit" color="red" loading={everywhere.pending}>
              Sign out everywhere
            </Button>
          </Stack>
        </form>
      </Section>

      <DeleteAccount email={account.email} hasPassword={account.hasPassword} onDeleted={onDeleted} />
    </main>
  );
}
