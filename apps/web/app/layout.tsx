import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import "./globals.css";
import { ColorSchemeScript, mantineHtmlProps } from "@mantine/core";
import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { Providers } from "./providers";
import { COLOR_SCHEME_KEY } from "./color-scheme-key";
import { serverSession } from "../lib/server-api";
import { BRAND } from "../lib/brand";

export const metadata: Metadata = {
  title: BRAND.name,
  description: "Your organisation's AI workspace",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The header and sidebar in the first HTML: who is signed in, as the server could tell.
  const session = await serverSession();
  return (
    <html lang="en" {...mantineHtmlProps}>
      <head>
        {/* Sets the colour scheme before the first paint (no flash): the last choice kept in this browser. */}
        <ColorSchemeScript defaultColorScheme="auto" localStorageKey={COLOR_SCHEME_KEY} />
      </head>
      <body>
        <Providers session={session}>{children}</Providers>
      </body>
    </html>
  );
}
