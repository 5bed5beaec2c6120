import { createTheme, localStorageColorSchemeManager } from "@mantine/core";
import { COLOR_SCHEME_KEY } from "./color-scheme-key";
import { BRAND } from "../lib/brand";

/** Tandem's design tokens on top of Mantine's defaults: one font stack, one accent, one radius. */
export const theme = createTheme({
  primaryColor: BRAND.primaryColor,
  // White text on the filled colour must reach 4.5:1 (WCAG AA): blue 8 does, 6 and 7 do not.
  primaryShade: { light: 8, dark: 8 },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontFamilyMonospace: "ui-monospace, SFMono-Regular, Menlo, monospace",
  headings: { fontWeight: "700" },
  defaultRadius: "md",
  cursorType: "pointer",
});

/** The chosen colour scheme, kept in this browser (the account keeps it across devices). */
export const colorSchemeManager = localStorageColorSchemeManager({ key: COLOR_SCHEME_KEY });
