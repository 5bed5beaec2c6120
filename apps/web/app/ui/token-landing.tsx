"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { api } from "../../lib/browser-api";

/** A page a mailed link opens: it spends the link's token once and says how that went. */
export function TokenLanding(props: { title: string; token?: string; endpoint: string; working: string; done: string; next: { href: string; label: string } }) {
  const [state, setState] = useState<{ status: "working" } | { status: "done" } | { status: "failed"; message: string }>(
    props.token ? { status: "working" } : { status: "failed", message: "This link is incomplete. Open it again from the mail, or copy the whole address." },
  );
  // Strict mode runs effects twice in development; a token must be spent once.
  const sent = useRef(false);
  useEffect(() => {
    if (!props.token || sent.current) return;
    sent.current = true;
    api(props.endpoint, { body: { token: props.token } }).then(
      () => setState({ status: "done" }),
      (error: unknown) => setState({ status: "failed", message: error instanceof Error ? error.message : String(error) }),
    );
  }, [props.endpoint, props.token]);
  return (
    <main>
      <h1>{props.title}</h1>
      {state.status === "working" ? <p className="notice">{props.working}</p> : null}
      {state.status === "done" ? (
        <p className="notice" role="status" data-testid="token-done">
          {props.done} <Link href={props.next.href}>{props.next.label}</Link>
        </p>
      ) : null}
      {state.status === "failed" ? (
        <p className="error" role="alert" data-testid="token-failed">
          {state.message}
        </p>
      ) : null}
    </main>
  );
}
