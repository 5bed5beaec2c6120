import { cpSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

// PDF.js Express (used when PDFJS_EXPRESS_VIEWER_KEY is set) loads its UI and workers from the
// site: copy them from the package into public/ (git-ignored) for dev, tests and builds alike.
const viewerAssets = path.join(path.dirname(createRequire(import.meta.url).resolve("@pdftron/pdfjs-express-viewer")), "public");
const viewerTarget = path.join(path.dirname(new URL(import.meta.url).pathname), "public", "pdfjs-express");
if (!existsSync(path.join(viewerTarget, "ui"))) cpSync(viewerAssets, viewerTarget, { recursive: true });

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Tests run two dev servers of this app side by side, each with its own build folder.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // Workspace packages ship TypeScript sources; Next compiles them with the app.
  transpilePackages: ["@tandem/client"],
  // Only the Mantine components a page uses go into its bundle (Mantine's advice for Next.js).
  experimental: { optimizePackageImports: ["@mantine/core", "@mantine/hooks"] },
  // Pages opened from mailed links carry a live token in their address: no browser request from
  // them (to the API, to an image, to another site) may carry that address as its Referer.
  async headers() {
    return ["/reset-password", "/verify-email", "/confirm-email", "/invites/accept"].map((source) => ({ source, headers: [{ key: "Referrer-Policy", value: "no-referrer" }] }));
  },
  webpack(config) {
    // Our ESM sources import "./x.js" that is really "./x.ts".
    config.resolve.extensionAlias = { ".js": [".ts", ".tsx", ".js"] };
    return config;
  },
};

export default nextConfig;
