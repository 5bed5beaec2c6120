"use client";

import { SegmentedControl, useMantineColorScheme, type MantineColorScheme } from "@mantine/core";
import { useEffect } from "react";
import { api } from "../../lib/browser-api";
import { useSession } from "./session";

export type ThemeChoice = "light" | "dark" | "system";

const toScheme = (choice: ThemeChoice): MantineColorScheme => (choice === "system" ? "auto" : choice);

/**
 * The theme in use and a way to change it: Mantine keeps it in this browser (localStorage), and
 * for a signed-in person it is saved on the account too, so it follows them to other devices.
 */
export function useThemeChoice(): { choice: ThemeChoice; choose: (choice: ThemeChoice) => Promise<void> } {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const session = useSession();
  return {
    choice: colorScheme === "auto" ? "system" : colorScheme,
    async choose(choice) {
      setColorScheme(toScheme(choice));
      if (session.status !== "signed-in") return;
      await api("/api/me", { method: "PATCH", body: { theme: choice } }).catch(() => undefined);
      session.reload();
    },
  };
}

/** Applies the signed-in account's theme, or the operator's DEFAULT_THEME for one that never chose. */
export function ThemeSync() {
  const session = useSession();
  const { setColorScheme } = useMantineColorScheme();
  const wanted = session.status === "signed-in" ? (session.me.account.theme ?? session.me.defaultTheme) : undefined;
  useEffect(() => {
    if (wanted) setColorScheme(toScheme(wanted));
  }, [wanted, setColorScheme]);
  return null;
}

/** The theme switch of the account page: light, dark or the system's. */
export function ThemeSwitch() {
  const theme = useThemeChoice();
  return (
    <SegmentedControl
      aria-label="Theme"
      data-testid="theme-switch"
      value={theme.choice}
      onChange={(value) => void theme.choose(value as ThemeChoice)}
      data={[
        { value: "light", label: "Light" },
        { value: "dark", label: "Dark" },
        { value: "system", label: "System" },
      ]}
    />
  );
}
