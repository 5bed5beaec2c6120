"use client";

import { Button } from "@mantine/core";
import Link from "next/link";
import { useState } from "react";
import { api } from "../../lib/browser-api";
import { ErrorBox, Field, Notice, useSubmit } from "../ui/form";

export default function ResetPasswordPage({ searchParams }: { searchParams: { token?: string } }) {
  const [done, setDone] = useState(false);
  const { pending, error, onSubmit } = useSubmit((v) => api("/api/accounts/password-reset/confirm", { body: { token: searchParams.token ?? "", password: v.password } }), () => setDone(true));
  return (
    <main>
      <h1>Choose a new password</h1>
      {done ? (
        <Notice testId="reset-done">
          Your password is changed and every device was signed out. <Link href="/sign-in">Sign in</Link>
        </Notice>
      ) : (
        <form className="card stack" onSubmit={onSubmit} noValidate>
          <Field name="password" label="New password" type="password" autoComplete="new-password" error={error} hint="At least 10 characters." />
          <ErrorBox error={error} />
          <Button type="submit" loading={pending}>
            {pending ? "Saving…" : "Set password"}
          </Button>
        </form>
      )}
    </main>
  );
}
