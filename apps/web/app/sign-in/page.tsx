"use client";

import { Button } from "@mantine/core";
import type { ProvidersResponse } from "@tandem/client/contract";
import Link from "next/link";
import { useEffect, useState } from "react";
import { api, ApiProblem } from "../../lib/browser-api";
import { ErrorBox, Field, Notice, useSubmit } from "../ui/form";

/** Only same-site paths, so a crafted link cannot send people elsewhere after sign-in. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export default function SignInPage({ searchParams }: { searchParams: { error?: string; next?: string } }) {
  const [providers, setProviders] = useState<ProvidersResponse["providers"]>([]);
  const [resent, setResent] = useState(false);
  useEffect(() => {
    api<ProvidersResponse>("/api/auth/providers").then((p) => setProviders(p.providers), () => setProviders([]));
  }, []);
  const { pending, error, onSubmit } = useSubmit(
    (v) => api("/api/auth/sign-in", { body: { email: v.email, password: v.password } }),
    () => {
      window.location.href = safeNext(searchParams.next);
    },
  );
  const [lastEmail, setLastEmail] = useState("");
  async function resend() {
    await api("/api/accounts/verify-email/resend", { body: { email: lastEmail } }).catch(() => undefined);
    setResent(true);
  }
  return (
    <main>
      <h1>Sign in</h1>
      {searchParams.error ? <p className="error" role="alert" data-testid="provider-error">{searchParams.error}</p> : null}
      <form className="card stack" onSubmit={(e) => { setLastEmail(String(new FormData(e.currentTarget).get("email") ?? "")); void onSubmit(e); }} noValidate>
        <Field name="email" label="Email" type="email" autoComplete="email" error={error} />
        <Field name="password" label="Password" type="password" autoComplete="current-password" error={error} />
        <ErrorBox error={error} />
        {error instanceof ApiProblem && error.code === "account.unverified" ? (
          resent ? <Notice>A new confirmation link is on its way.</Notice> : <Button type="button" variant="default" onClick={resend}>Send the confirmation link again</Button>
        ) : null}
        <Button type="submit" loading={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
      {providers.length > 0 ? (
        <div className="stack providers" data-testid="providers">
          {providers.map((p) => (
            <a key={p.id} className="button secondary" href={p.startUrl}>
              Continue with {p.label}
            </a>
          ))}
        </div>
      ) : null}
      <p className="meta">
        <Link href="/forgot-password">Forgot your password?</Link> · New here? <Link href="/sign-up">Create an account</Link>
      </p>
    </main>
  );
}
