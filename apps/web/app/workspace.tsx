"use client";

import { Button } from "@mantine/core";
import type { Organisation } from "@tandem/client/contract";
import Link from "next/link";
import { api } from "../lib/browser-api";
import { ErrorBox, Field, useSubmit } from "./ui/form";
import { useSession } from "./ui/session";
import { BRAND } from "../lib/brand";

/** The signed-in start: the organisations, a switch between them, and creating one. */
export function Workspace() {
  const session = useSession();
  const create = useSubmit((v) => api<{ organisation: Organisation }>("/api/orgs", { body: { name: v.name, slug: v.slug } }), (r) => {
    window.location.href = `/orgs/${r.organisation.id}`;
  });
  async function switchTo(id: string) {
    await api("/api/me", { method: "PATCH", body: { currentOrganisationId: id } });
    session.reload();
  }
  if (session.status === "loading") return null;
  if (session.status === "error") {
    return (
      <section className="card stack" role="alert" data-testid="workspace-unreachable">
        <h2>{BRAND.name} cannot be reached</h2>
        <p>
          {session.message} You are still signed in; nothing is lost. This page tries again when you press Retry.
        </p>
        <p>
          <Button type="button" onClick={session.reload}>
            Retry
          </Button>
        </p>
      </section>
    );
  }
  if (session.status !== "signed-in") {
    return (
      <section className="card stack">
        <p>Sign in to reach your organisation&apos;s workspace.</p>
        <p>
          <Link className="button" href="/sign-in">Sign in</Link> <Link className="button secondary" href="/sign-up">Create an account</Link>
        </p>
      </section>
    );
  }
  const { account, organisations } = session.me;
  const current = organisations.find((o) => o.id === account.currentOrganisationId) ?? organisations[0];
  return (
    <>
      <section className="card stack" aria-label="Organisations">
        <h2>Hello {account.name}</h2>
        {organisations.length === 0 ? (
          <p>You are not in an organisation yet. Create one, or open an invitation you were sent.</p>
        ) : (
          <ul className="list" data-testid="organisations">
            {organisations.map((o) => (
              <li key={o.id}>
                <span>
                  <Link href={`/orgs/${o.id}`}>{o.name}</Link> <small>{o.role}</small> <Link href={`/orgs/${o.id}/notebooks`}>notebooks</Link>
                </span>
                {current?.id === o.id ? <small data-testid="current-org">current</small> : <Button type="button" variant="subtle" size="compact-sm" onClick={() => void switchTo(o.id)}>Switch</Button>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <form className="card stack" onSubmit={create.onSubmit} noValidate aria-label="New organisation">
        <h2>New organisation</h2>
        <Field name="name" label="Name" error={create.error} />
        <Field name="slug" label="Handle" error={create.error} hint="Lowercase letters, digits and hyphens, e.g. acme-corp" />
        <ErrorBox error={create.error} />
        <Button type="submit" loading={create.pending}>Create organisation</Button>
      </form>
    </>
  );
}
