"use client";

import Link from "next/link";
import { api } from "../../lib/browser-api";
import { useOperatorAccess } from "../admin/ui/access";
import { useSession } from "./session";

export function Header() {
  const session = useSession();
  // Operators see a way to the admin pages; /api/me does not say who is one, the control plane does.
  const access = useOperatorAccess(session.status === "signed-in");
  async function signOut() {
    await api("/api/auth/sign-out", { method: "POST" }).catch(() => undefined);
    window.location.href = "/sign-in";
  }
  return (
    <header className="top">
      <Link href="/" className="brand">
        Tandem
      </Link>
      <nav>
        {session.status === "signed-in" ? (
          <>
            {access.status === "operator" ? (
              <Link href="/admin" data-testid="admin-link">
                Admin
              </Link>
            ) : null}
            <Link href="/account" data-testid="account-link">
              {session.me.account.name}
            </Link>
            <button type="button" className="link" onClick={signOut} data-testid="sign-out">
              Sign out
            </button>
          </>
        ) : session.status === "signed-out" ? (
          <>
            <Link href="/sign-in">Sign in</Link>
            <Link href="/sign-up">Sign up</Link>
          </>
        ) : session.status === "error" ? (
          // Not "signed out": the session is still there, the server is what cannot be reached.
          <span className="offline" role="status" title={session.message} data-testid="server-unreachable">
            Server unreachable ·{" "}
            <button type="button" className="link" onClick={session.reload}>
              Retry
            </button>
          </span>
        ) : null}
      </nav>
    </header>
  );
}
