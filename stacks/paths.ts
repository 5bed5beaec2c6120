import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * Where the code the stacks deploy lives, relative to the SST app's root (where `sst` runs). In
 * this repository that is the workspace's sources (packages/api/src, apps/web); in a customer
 * repository that depends on the published packages, the installed @tandem/api's built output
 * and the web app the customer prepared (`tandem-web prepare`, templates/customer). Nothing here
 * names a path of this monorepo that a customer would not have.
 */
export interface TandemPaths {
  /** The @tandem/api package's folder. */
  readonly api: string;
  /** Its sources (this repository) or its built output (an installed package). */
  readonly apiCode: "src" | "dist";
  /** The Next.js app the site builds. */
  readonly web: string;
  /** Amazon's CA bundle for DocumentDB TLS, when the operator put it in the repository (docs/documentdb.md). */
  readonly documentDbCa?: string;
}

let configured: Partial<TandemPaths> = {};

/**
 * Where the web app and the CA bundle are, when not at the defaults (web/, certs/global-bundle.pem):
 * tandemStacks' options (this repository's sst.config.ts names apps/web).
 */
export function configurePaths(paths: Partial<TandemPaths>): void {
  configured = paths;
}

const relative = (dir: string) => path.relative(process.cwd(), dir).split(path.sep).join("/") || ".";

export function tandemPaths(): TandemPaths {
  const apiDir = configured.api ?? relative(path.dirname(createRequire(import.meta.url).resolve("@tandem/api/package.json")));
  const apiCode = configured.apiCode ?? (existsSync(path.join(apiDir, "src", "lambda.ts")) ? "src" : "dist");
  // TANDEM_WEB_PATH first: tests point it at a prebuilt fixture instead of running `next build`.
  const web = process.env.TANDEM_WEB_PATH ?? configured.web ?? "web";
  const ca = configured.documentDbCa ?? "certs/global-bundle.pem";
  const documentDbCa = existsSync(ca) ? ca : undefined;
  return { api: apiDir, apiCode, web, documentDbCa };
}

/** An SST handler string for a module of @tandem/api, e.g. apiHandler("jobs/queue"). */
export function apiHandler(module: string, exportName = "handler"): string {
  const { api, apiCode } = tandemPaths();
  return `${api}/${apiCode}/${module}.${exportName}`;
}
