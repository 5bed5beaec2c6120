"use client";

import { Button } from "@mantine/core";
import type { SignUpResponse } from "@tandem/client/contract";
import Link from "next/link";
import { useState } from "react";
import { api } from "../../lib/browser-api";
import { ErrorBox, Field, Notice, useSubmit } from "../ui/form";

export default function SignUpPage() {
  const [done, setDone] = useState<SignUpResponse | undefined>();
  const { pending, error, onSubmit } = useSubmit((v) => api<SignUpResponse>("/api/accounts", { body: { name: v.name, email: v.email, password: v.password } }), setDone);
  if (done) {
    return (
      <main>
        <h1>Check your inbox</h1>
        {done.verificationMailSent ? (
          <Notice testId="sign-up-done">
            We sent a link to <strong>{done.account.email}</strong>. Open it to confirm your address, then sign in.
          </Notice>
        ) : (
          <Notice testId="sign-up-done">Your account exists, but the confirmation mail could not be sent. Ask for a new link from the sign-in page in a few minutes.</Notice>
        )}
      </main>
    );
  }
  return (
    <main>
      <h1>Create your account</h1>
      <form className="card stack" onSubmit={onSubmit} noValidate>
        <Field name="name" label="Your name" autoComplete="name" error={error} />
        <Field name="email" label="Work email" type="email" autoComplete="email" error={error} />
        <Field name="password" label="Password" type="password" autoComplete="new-password" error={error} hint="At least 10 characters; a few unrelated words work well." />
        <ErrorBox error={error} />
        <Button type="submit" loading={pending}>
          {pending ? "Creating…" : "Create account"}
        </Button>
      </form>
      <p className="meta">
        Have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </main>
  );
}
