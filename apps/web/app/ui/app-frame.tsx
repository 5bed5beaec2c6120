"use client";

import { ActionIcon, Anchor, AppShell, Burger, Button, Group, Menu, NativeSelect, Text, Tooltip, UnstyledButton } from "@mantine/core";
import { useDisclosure, useMediaQuery } from "@mantine/hooks";
import { IconCheck, IconDeviceDesktop, IconLogout, IconMoon, IconShieldLock, IconSun, IconUserCircle } from "@tabler/icons-react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { api } from "../../lib/browser-api";
import { BRAND } from "../../lib/brand";
import { useOperatorAccess } from "../admin/ui/access";
import { NotebookNav } from "./notebook-nav";
import { useSession } from "./session";
import { ThemeSync, useThemeChoice, type ThemeChoice } from "./theme-choice";

const THEME_ITEMS: ReadonlyArray<{ value: ThemeChoice; label: string; icon: typeof IconSun }> = [
  { value: "light", label: "Light theme", icon: IconSun },
  { value: "dark", label: "Dark theme", icon: IconMoon },
  { value: "system", label: "System theme", icon: IconDeviceDesktop },
];

/** Where the sidebar stops being a drawer: Mantine's sm breakpoint, the AppShell navbar's below. */
const WIDE_SCREEN = "(min-width: 48em)";

/** The organisation in the address (/orgs/:orgId/...), if any. */
function orgInPath(pathname: string): string | undefined {
  const match = /^\/orgs\/([^/]+)/.exec(pathname);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

/**
 * The app shell around every page: the header (brand, organisation switcher, admin, user menu with
 * the theme) and, for a signed-in member of an organisation, the sidebar with its notebooks. Below
 * Mantine's sm breakpoint the sidebar is a drawer behind the burger button.
 *
 * Links do not prefetch (here and in the sidebar): every page is rendered per request with the
 * person's data, so prefetching each link in view would render them all on the server, and
 * process them in the browser while the page starts.
 */
export function AppFrame({ children }: { children: ReactNode }) {
  const session = useSession();
  const pathname = usePathname() ?? "/";
  const router = useRouter();
  const [opened, { toggle, close }] = useDisclosure(false);
  const access = useOperatorAccess(session.status === "signed-in", session.status === "signed-in" ? session.operator : undefined);
  const operator = access.status === "operator";
  const me = session.status === "signed-in" ? session.me : undefined;
  const organisations = me?.organisations ?? [];
  const pathOrg = orgInPath(pathname);
  const current = organisations.find((o) => o.id === pathOrg) ?? (pathOrg ? undefined : organisations.find((o) => o.id === me?.account.currentOrganisationId) ?? organisations[0]);
  // The sidebar belongs to an organisation's workspace; the admin pages have their own navigation.
  const withNav = Boolean(current) && !pathname.startsWith("/admin");

  // The drawer closes when the page changes.
  useEffect(close, [pathname, close]);
  // The sidebar's contents: on a wide screen as soon as the page runs; on a phone, where the
  // sidebar is a closed drawer, only once it is first opened (then kept, so it closes smoothly and
  // keeps its search). Rendering them hidden cost a phone a quarter of the page's start-up work.
  const wide = useMediaQuery(WIDE_SCREEN, false);
  const [drawerUsed, setDrawerUsed] = useState(false);
  useEffect(() => {
    if (opened) setDrawerUsed(true);
  }, [opened]);

  // Opening an organisation's page (through the switcher, a link or an address) makes it the one
  // remembered for next time; once per organisation opened.
  const handled = useRef<string | undefined>();
  const { reload } = session;
  useEffect(() => {
    if (!me || !pathOrg || handled.current === pathOrg) return;
    handled.current = pathOrg;
    if (!organisations.some((o) => o.id === pathOrg) || me.account.currentOrganisationId === pathOrg) return;
    void api("/api/me", { method: "PATCH", body: { currentOrganisationId: pathOrg } }).then(reload, () => undefined);
  }, [me, pathOrg, organisations, reload]);

  function switchTo(id: string) {
    router.push(`/orgs/${encodeURIComponent(id)}/notebooks`);
  }

  async function signOut() {
    await api("/api/auth/sign-out", { method: "POST" }).catch(() => undefined);
    window.location.href = "/sign-in";
  }

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={withNav ? { width: 290, breakpoint: "sm", collapsed: { mobile: !opened } } : undefined}
      padding="md"
    >
      <ThemeSync />
      <AppShell.Header>
        <Group h="100%" px="md" gap="sm" wrap="nowrap" justify="space-between">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            {withNav ? <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? "Close navigation" : "Open navigation"} data-testid="burger" /> : null}
            <Anchor component={Link} prefetch={false} href="/" fw={700} fz="lg" c="inherit" underline="never" className="brand" style={{ display: "inline-flex", alignItems: "center", gap: 8 }}>
              {/* The name is the link's text, so the logo beside it is decoration. */}
              {BRAND.logo ? <img src={BRAND.logo} alt="" width={28} height={28} style={{ objectFit: "contain" }} data-testid="brand-logo" /> : null}
              {BRAND.name}
            </Anchor>
            {me && organisations.length > 0 ? (
              <NativeSelect
                aria-label="Organisation"
                data-testid="org-switcher"
                size="xs"
                w={{ base: 130, sm: 220 }}
                value={current?.id ?? ""}
                onChange={(e) => switchTo(e.currentTarget.value)}
                data={[...(current ? [] : [{ value: "", label: "Choose…", disabled: true }]), ...organisations.map((o) => ({ value: o.id, label: o.name }))]}
              />
            ) : null}
          </Group>
          <Group gap="xs" wrap="nowrap">
            {me ? (
              <>
                {operator ? (
                  <Tooltip label="Admin">
                    <ActionIcon component={Link} prefetch={false} href="/admin" variant="subtle" size="lg" aria-label="Admin" data-testid="admin-link">
                      <IconShieldLock size={20} aria-hidden />
                    </ActionIcon>
                  </Tooltip>
                ) : null}
                <UserMenu name={me.account.name} email={me.account.email} onSignOut={() => void signOut()} />
              </>
            ) : session.status === "signed-out" ? (
              <>
                <Button component={Link} prefetch={false} href="/sign-in" variant="subtle" size="xs">
                  Sign in
                </Button>
                <Button component={Link} prefetch={false} href="/sign-up" size="xs">
                  Sign up
                </Button>
              </>
            ) : session.status === "error" ? (
              // Not "signed out": the session is still there, the server is what cannot be reached.
              <Text size="sm" c="red" role="status" title={session.message} data-testid="server-unreachable">
                Server unreachable ·{" "}
                <Anchor component="button" type="button" size="sm" onClick={session.reload}>
                  Retry
                </Anchor>
              </Text>
            ) : null}
          </Group>
        </Group>
      </AppShell.Header>
      {withNav && current ? (
        <AppShell.Navbar aria-label="Workspace" data-closed={opened ? undefined : true} className="workspace-nav">
          {wide || opened || drawerUsed ? <NotebookNav orgId={current.id} admin={current.role !== "member"} operator={operator} /> : null}
        </AppShell.Navbar>
      ) : null}
      {/* The pages bring their own <main>. */}
      <AppShell.Main {...({ component: "div" } as object)} className="frame-main">
        {children}
      </AppShell.Main>
    </AppShell>
  );
}

function UserMenu({ name, email, onSignOut }: { name: string; email: string; onSignOut: () => void }) {
  const theme = useThemeChoice();
  return (
    <Menu position="bottom-end" width={230} withinPortal>
      <Menu.Target>
        <UnstyledButton aria-label={`Account menu of ${name}`} data-testid="user-menu" className="user-menu">
          <Group gap={6} wrap="nowrap">
            <IconUserCircle size={26} stroke={1.5} aria-hidden />
            <Text size="sm" fw={500} visibleFrom="sm" truncate maw={160}>
              {name}
            </Text>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{email}</Menu.Label>
        <Menu.Item component={Link} prefetch={false} href="/account" leftSection={<IconUserCircle size={16} aria-hidden />} data-testid="account-link">
          Account settings
        </Menu.Item>
        <Menu.Divider />
        <Menu.Label>Theme</Menu.Label>
        {THEME_ITEMS.map((item) => (
          <Menu.Item
            key={item.value}
            leftSection={<item.icon size={16} aria-hidden />}
            rightSection={theme.choice === item.value ? <IconCheck size={16} aria-label="chosen" /> : null}
            onClick={() => void theme.choose(item.value)}
            data-testid={`theme-${item.value}`}
          >
            {item.label}
          </Menu.Item>
        ))}
        <Menu.Divider />
        <Menu.Item leftSection={<IconLogout size={16} aria-hidden />} onClick={onSignOut} data-testid="sign-out">
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
