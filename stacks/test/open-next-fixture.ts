import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A minimal OpenNext 3 build output, so the stack tests synthesize NextjsSite without running
 * `next build` (SST skips the build under NODE_ENV=test but still reads the output's manifest).
 */
export function writeOpenNextFixture(): string {
  const site = path.join(os.tmpdir(), `tandem-web-fixture-${process.pid}`);
  const file = (relative: string, content: unknown) => {
    const full = path.join(site, relative);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, typeof content === "string" ? content : JSON.stringify(content));
  };
  // As apps/web/open-next.config.ts builds it: the server function streams, the image optimizer does not.
  const fn = (bundle: string, streaming = false) => ({ type: "function", handler: "index.handler", bundle: `.open-next/${bundle}`, streaming });
  file("package.json", { name: "web-fixture", scripts: { build: "true" } });
  for (const bundle of ["server-functions/default", "image-optimization-function", "revalidation-function", "warmer-function"]) {
    file(`.open-next/${bundle}/index.mjs`, "export const handler = async () => ({});\n");
  }
  file(".open-next/assets/_next/static/chunk.js", "");
  file(".open-next/cache/placeholder", "");
  file(".open-next/open-next.output.json", {
    edgeFunctions: {},
    origins: {
      s3: {
        type: "s3",
        originPath: "_assets",
        copy: [
          { from: ".open-next/assets", to: "_assets", cached: true, versionedSubDir: "_next" },
          { from: ".open-next/cache", to: "_cache", cached: false },
        ],
      },
      imageOptimizer: fn("image-optimization-function"),
      default: fn("server-functions/default", true),
    },
    behaviors: [
      { pattern: "_next/image*", origin: "imageOptimizer" },
      { pattern: "_next/data/*", origin: "default" },
      { pattern: "*", origin: "default" },
      { pattern: "_next/*", origin: "s3" },
    ],
    additionalProps: {
      disableIncrementalCache: false,
      disableTagCache: true,
      warmer: { handler: "index.handler", bundle: ".open-next/warmer-function" },
      revalidationFunction: { handler: "index.handler", bundle: ".open-next/revalidation-function" },
    },
  });
  file(".next/BUILD_ID", "fixture-build");
  file(".next/routes-manifest.json", { dynamicRoutes: [], staticRoutes: [{ page: "/", regex: "^/(?:/)?$" }], dataRoutes: [] });
  file(".next/app-path-routes-manifest.json", { "/page": "/" });
  file(".next/server/app-paths-manifest.json", { "/page": "app/page.js" });
  file(".next/server/pages-manifest.json", {});
  file(".next/prerender-manifest.json", { version: 4, routes: {}, dynamicRoutes: {}, preview: {} });
  return site;
}
