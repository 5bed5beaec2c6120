"use client";

import { Alert, Anchor, Box, Button, Stack, Text, Title } from "@mantine/core";
import { IconShieldLock } from "@tabler/icons-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useCallback, useState, type ReactNode } from "react";
import { operatorAccess, type OperatorAccess } from "../../../lib/control-plane";
import { useLoadUnlessServed } from "../../../lib/served";
import classes from "./admin.module.css";

/**
 * Whether this person is an operator (one probe of the control plane per page load, unless
 * `known`: what the server rendering the page found).
 */
export function useOperatorAccess(enabled = true, known?: boolean): (OperatorAccess | { status: "loading" }) & { retry: () => void } {
  const [access, setAccess] = useState<OperatorAccess | { status: "loading" }>(known === undefined ? { status: "loading" } : { status: known ? "operator" : "not-operator" });
  const check = useCallback(() => {
    if (!enabled) return;
    setAccess({ status: "loading" });
    void operatorAccess().then(setAccess);
  }, [enabled]);
  useLoadUnlessServed(check, known !== undefined);
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
    <Box component="nav" className={classes.nav} aria-label="Admin sections" data-testid="admin-nav">
      {SECTIONS.map((s) => (
        <Anchor component={Link} key={s.href} href={s.href} className={classes.navLink} c="var(--mantine-color-text)" underline="never" aria-current={s.matches(pathname) ? "page" : undefined}>
          {s.label}
        </Anchor>
      ))}
    </Box>
  );
}

/** The admin pages' frame: their navigation, shown to operators only; everyone else is told why. */
export function AdminShell({ children }: { children: ReactNode }) {
  const access = useOperatorAccess();
  const pathname = usePathname() ?? "/admin";
  return (
    <Box component="main" className={classes.main}>
      {access.status === "operator" ? (
        <>
          <AdminNav />
          {children}
        </>
      ) : access.status === "not-operator" ? (
        <Stack gap="md" align="flex-start">
          <Title order={1}>Administration</Title>
          <Alert color="red" variant="light" role="alert" icon={<IconShieldLock size={18} aria-hidden />} w="100%">
            <Text size="sm" fw={600} data-testid="not-operator">
              Only operators see this page.
            </Text>
          </Alert>
          <Text size="sm" c="dimmed">
            Operators run this installation of Tandem. An operator can make you one from the Operators page, or with pnpm tandem admin create.
          </Text>
          <Anchor component={Link} href="/" underline="always">
            Back to your organisations
          </Anchor>
        </Stack>
      ) : access.status === "signed-out" ? (
        <Stack gap="md">
          <Title order={1}>Administration</Title>
          <Alert color="blue" variant="light" role="status" data-testid="admin-signed-out">
            Sign in as an operator to see this page.{" "}
            <Anchor component={Link} href={`/sign-in?next=${encodeURIComponent(pathname)}`} underline="always" fz="sm" fw={600} c="inherit">
              Sign in
            </Anchor>
          </Alert>
        </Stack>
      ) : access.status === "error" ? (
        <Stack gap="md" align="flex-start">
          <Title order={1}>Administration</Title>
          <Alert color="red" variant="light" role="alert" w="100%">
            {access.message}
          </Alert>
          <Button type="button" variant="default" onClick={access.retry}>
            Try again
          </Button>
        </Stack>
      ) : (
        <Text role="status" c="dimmed">
          Loading…
        </Text>
      )}
    </Box>
  );
}
