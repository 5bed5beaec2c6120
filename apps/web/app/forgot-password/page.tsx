"use client";

import { Button } from "@mantine/core";
import { useState } from "react";
import { api } from "../../lib/browser-api";
import { ErrorBox, Field, Notice, useSubmit } from "../ui/form";

export default function ForgotPasswordPage() {
  const [sent, setSent] = useState(false);
  const { pending, error, onSubmit } = useSubmit((v) => api("/api/accounts/password-reset", { body: { email: v.email } }), () => setSent(true));
  return (
    <main>
      <h1>Reset your password</h1>
      {sent ? (
        <Notice testId="reset-sent">If an account uses this address, a reset link is on its way. It works for 30 minutes.</Notice>
      ) : (
        <form className="card stack" onSubmit={onSubmit} noValidate>
          <Field name="email" label="Email" type="email" autoComplete="email" error={error} />
          <ErrorBox error={error} />
          <Button type="submit" loading={pending}>
            {pending ? "Sending…" : "Send reset link"}
          </Button>
        </form>
      )}
    </main>
  );
}
