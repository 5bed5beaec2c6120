"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { operatorAccess, type OperatorAccess } from "../../../lib/control-plane";

/** Whether this person is an operator (one probe of the control plane per page load). */
export function useOperatorAccess(enabled = true): (OperatorAccess | { status: "loading" }) & { retry: () => void } {
  const [access, setAccess] = useState<OperatorAccess | { status: "loading" }>({ status: "loading" });
  const check = useCallback(() => {
    if (!enabled) return;
    setAccess({ status: "loading" });
    void operatorAccess().then(setAccess);
  }, [enabled]);
  useEffect(check, [check]);
  return { ...access, retry: check };
}

const SECTIONS = [
  { href: "/admin", label: "Tenants", matches: (path: string) => path === "/admin" || path.startsWith("/admin/tenants") },
  { href: "/admin/operators", label: "Operators", matches: (path: string) => path.startsWith("/admin/operators") },
  { href: "/admin/meters", label: "Meters", matches: (path: string) => path.startsWith("/admin/meters") },
  { href: "/admin/usage", label: "Usage", matches: (path: string) => path.startsWith("/admin/usage") },
  { href: "/admin/prices", label: "Prices", matches: (path: string) => path.startsWith("/admin/prices") },
  { href: "/admin/reconciliation", label: "Reconciliation", matches: (path: string) => path.startsWith("/admin/reconciliation") },
  { href: "/admin/audit", label: "Audit log", matches: (path: string) => path.startsWith("/admin/audit") },
];

export function AdminNav() {
  const pathname = usePathname() ?? "/admin";
  return (
    <nav className="tabs" aria-label="Admin sections" data-testid="admin-nav">
      {SECTIONS.map((s) => (
        <Link key={s.href} href={s.href} aria-current={s.matches(pathname) ? "page" : undefined}>
          {s.label}
        </Link>
      ))}
    </nav>
  );
}

/** The admin pages' frame: their navigation, shown to operators only; everyone else is told why. */
export function AdminShell({ children }: { children: ReactNode }) {
  const access = useOperatorAccess();
  const pathname = usePathname() ?? "/admin";
  return (
    <main className="admin">
      {access.status === "operator" ? (
        <>
          <AdminNav />
          {children}
        </>
      ) : access.status === "not-operator" ? (
        <>
          <h1>Administration</h1>
          <p className="error" role="alert" data-testid="not-operator">
            Only operators see this page.
          </p>
          <p className="hint">Operators run this installation of Tandem. An operator can make you one from the Operators page, or with pnpm tandem admin create.</p>
          <p>
            <Link href="/">Back to your organisations</Link>
          </p>
        </>
      ) : access.status === "signed-out" ? (
        <>
          <h1>Administration</h1>
          <p className="notice" data-testid="admin-signed-out">
            Sign in as an operator to see this page. <Link href={`/sign-in?next=${encodeURIComponent(pathname)}`}>Sign in</Link>
          </p>
        </>
      ) : access.status === "error" ? (
        <>
          <h1>Administration</h1>
          <p className="error" role="alert">
            {access.message}
          </p>
          <button type="button" className="secondary" onClick={access.retry}>
            Try again
          </button>
        </>
      ) : (
        <p className="notice">Loading…</p>
      )}
    </main>
  );
}
