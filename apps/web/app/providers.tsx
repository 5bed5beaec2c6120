"use client";

import { MantineProvider, type CSSVariablesResolver } from "@mantine/core";
import { ModalsProvider } from "@mantine/modals";
import { Notifications } from "@mantine/notifications";
import type { ReactNode } from "react";
import { colorSchemeManager, theme } from "./theme";
import { AfterStart } from "./ui/after-start";
import { AppFrame } from "./ui/app-frame";
import { SessionProvider, type SessionState } from "./ui/session";

// Mantine's dimmed text (gray 6 on white, dark 2 on dark) is under 4.5:1: one step stronger in each scheme.
const resolver: CSSVariablesResolver = () => ({
  variables: {},
  // The light variant's text (the current page in the sidebar, light badges) on its pale blue: blue 9 keeps 4.5:1 (blue 8 is 4.4:1).
  light: { "--mantine-color-dimmed": "var(--mantine-color-gray-7)", "--mantine-color-blue-light-color": "var(--mantine-color-blue-9)" },
  dark: { "--mantine-color-dimmed": "var(--mantine-color-dark-1)" },
});

/** Mantine (theme, colour scheme kept in localStorage, confirmation dialogs, notices), the shared session and the app shell. */
export function Providers({ session, children }: { session?: SessionState; children: ReactNode }) {
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager} cssVariablesResolver={resolver}>
      <ModalsProvider>
        {/* Notices shown before it mounts wait in Mantine's store, and appear when it does. */}
        <AfterStart>
          <Notifications position="bottom-right" />
        </AfterStart>
        <SessionProvider initial={session}>
          <AppFrame>{children}</AppFrame>
        </SessionProvider>
      </ModalsProvider>
    </MantineProvider>
  );
}
