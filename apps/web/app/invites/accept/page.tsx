"use client";

import { Button } from "@mantine/core";
import type { InvitePreview } from "@tandem/client/contract";
import Link from "next/link";
import { useEffect, useState } from "react";
import { api } from "../../../lib/browser-api";
import { ErrorBox, useSubmit } from "../../ui/form";
import { useSession } from "../../ui/session";

export default function AcceptInvitePage({ searchParams }: { searchParams: { token?: string } }) {
  const token = searchParams.token ?? "";
  const session = useSession();
  const [invite, setInvite] = useState<InvitePreview | undefined>();
  const [problem, setProblem] = useState<string | undefined>(token ? undefined : "This link is incomplete. Open it again from the mail.");
  useEffect(() => {
    if (!token) return;
    api<{ invite: InvitePreview }>("/api/invites/preview", { body: { token } }).then(
      (r) => setInvite(r.invite),
      (e: unknown) => setProblem(e instanceof Error ? e.message : String(e)),
    );
  }, [token]);
  const { pending, error, onSubmit } = useSubmit(
    () => api<{ organisation: { id: string } }>("/api/invites/accept", { body: { token } }),
    (r) => {
      window.location.href = `/orgs/${r.organisation.id}`;
    },
  );
  const here = `/invites/accept?token=${encodeURIComponent(token)}`;
  return (
    <main>
      <h1>Join an organisation</h1>
      {problem ? <p className="error" role="alert" data-testid="invite-problem">{problem}</p> : null}
      {invite ? (
        <section className="card stack">
          <p data-testid="invite-summary">
            {invite.invitedBy} invited <strong>{invite.email}</strong> to <strong>{invite.organisation.name}</strong> as {invite.role}.
          </p>
          {session.status === "signed-in" ? (
            <form onSubmit={onSubmit} className="stack">
              {session.me.account.email !== invite.email ? (
                <p className="error">You are signed in as {session.me.account.email}. Sign out and sign in as {invite.email} to accept.</p>
              ) : null}
              <ErrorBox error={error} />
              <Button type="submit" loading={pending}>
                Join {invite.organisation.name}
              </Button>
            </form>
          ) : session.status === "signed-out" ? (
            <p>
              <Link href={`/sign-in?next=${encodeURIComponent(here)}`}>Sign in</Link> or <Link href="/sign-up">create an account</Link> as {invite.email} to accept. After confirming a new account, open this invitation again.
            </p>
          ) : null}
        </section>
      ) : null}
    </main>
  );
}
