"use client";

import { Button } from "@mantine/core";
import { useState } from "react";
import { api } from "../../lib/browser-api";
import { ErrorBox, Field, Notice, useSubmit } from "../ui/form";
import { useSession } from "../ui/session";
import { ThemeSwitch } from "../ui/theme-choice";

export default function AccountPage() {
  const session = useSession();
  const [note, setNote] = useState<string | undefined>();
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

  if (session.status === "signed-out") {
    if (typeof window !== "undefined") window.location.href = "/sign-in?next=/account";
    return null;
  }
  if (session.status !== "signed-in") return <main><p className="notice">Loading…</p></main>;
  const { account, linkedProviders } = session.me;
  return (
    <main>
      <h1>Account settings</h1>
      <p className="lead">
        {account.email}
        {linkedProviders.length ? ` · signs in with ${linkedProviders.join(", ")}` : ""}
      </p>
      {note ? <Notice testId="account-note">{note}</Notice> : null}

      <section className="card stack" aria-labelledby="appearance">
        <h2 id="appearance">Appearance</h2>
        <p className="hint">The theme follows you to every device you sign in on. System follows your device&apos;s setting.</p>
        <ThemeSwitch />
      </section>

      <form className="card stack" onSubmit={profile.onSubmit} noValidate>
        <h2>Profile</h2>
        <Field name="name" label="Name" defaultValue={account.name} autoComplete="name" error={profile.error} />
        <ErrorBox error={profile.error} />
        <Button type="submit" loading={profile.pending}>Save</Button>
      </form>

      {account.hasPassword ? (
        <form className="card stack" onSubmit={password.onSubmit} noValidate>
          <h2>Password</h2>
          <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" error={password.error} />
          <Field name="newPassword" label="New password" type="password" autoComplete="new-password" error={password.error} hint="At least 10 characters." />
          <ErrorBox error={password.error} />
          <Button type="submit" loading={password.pending}>Change password</Button>
        </form>
      ) : null}

      {account.hasPassword ? (
        <form className="card stack" onSubmit={email.onSubmit} noValidate>
          <h2>Email address</h2>
          <Field name="email" label="New email" type="email" autoComplete="email" error={email.error} />
          <Field name="password" label="Your password" type="password" autoComplete="current-password" error={email.error} />
          <ErrorBox error={email.error} />
          <Button type="submit" loading={email.pending}>Send confirmation link</Button>
        </form>
      ) : null}

      <form className="card stack" onSubmit={everywhere.onSubmit}>
        <h2>Devices</h2>
        <p>Lost a device, or signed in somewhere shared? End every session of your account.</p>
        <ErrorBox error={everywhere.error} />
        <Button type="submit" color="red" loading={everywhere.pending}>Sign out everywhere</Button>
      </form>
    </main>
  );
}
