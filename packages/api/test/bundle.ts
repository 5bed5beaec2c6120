import { mkdirSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * Builds a function as SST does for Lambda: the esbuild that SST bundles with, and the options of
 * its Node runtime for ESM; then does what `nodejs.install` in stacks/api.ts does.
 */
const requireFromApi = createRequire(createRequire(import.meta.url).resolve("swagger-ui-express"));
const requireFromCore = createRequire(createRequire(import.meta.url).resolve("@tandem/core/identity"));
const requireFromSst = createRequire(createRequire(import.meta.url).resolve("sst/package.json"));
/** SST's `nodejs.install` in stacks/api.ts: packages that serve files from their own folder or load a native binary. */
export const INSTALLED = ["swagger-ui-dist", "@node-rs/argon2"];
const esbuild = requireFromSst("esbuild") as { build(options: Record<string, unknown>): Promise<BuildResult> };

/** What esbuild answers; the metafile when asked for one (`{ metafile: true }`). */
export interface BuildResult {
  readonly metafile?: { readonly inputs: Record<string, { readonly bytes: number; readonly imports: ReadonlyArray<{ readonly path: string; readonly kind: string; readonly external?: boolean }> }>; readonly outputs: Record<string, { readonly bytes: number; readonly entryPoint?: string; readonly inputs: Record<string, { readonly bytesInOutput: number }> }> };
}

/** `overrides` replace options, as a function's `nodejs` settings would (the housekeeping cron is not minified). */
export function bundleLikeSst(entry: string, outfile: string, overrides: Record<string, unknown> = {}): Promise<BuildResult> {
  return esbuild.build({
    entryPoints: [entry],
    outfile,
    platform: "node",
    bundle: true,
    keepNames: true,
    // stacks/api.ts sets nodejs.minify.
    minify: true,
    format: "esm",
    target: "esnext",
    mainFields: ["module", "main"],
    external: ["sharp", "pg-native", ...INSTALLED],
    logLevel: "silent",
    banner: {
      js: [
        `import { createRequire as topLevelCreateRequire } from 'module';`,
        `const require = topLevelCreateRequire(import.meta.url);`,
        `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
        `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
      ].join("\n"),
    },
    ...overrides,
  });
}

/** What `nodejs.install` does: each installed package sits in node_modules beside the bundle. */
export function installBesideBundle(outDir: string): void {
  mkdirSync(path.join(outDir, "node_modules"));
  for (const pkg of INSTALLED) {
    const from = pkg.startsWith("@node-rs/") ? requireFromCore : requireFromApi;
    mkdirSync(path.dirname(path.join(outDir, "node_modules", pkg)), { recursive: true });
    symlinkSync(path.dirname(from.resolve(`${pkg}/package.json`)), path.join(outDir, "node_modules", pkg));
  }
}
