import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import getPort from "get-port";
import { ROOT, run, startPrivateRegistry, type PrivateRegistry } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { writeOpenNextFixture } from "../../../stacks/test/open-next-fixture.js";

/**
 * Seed 000's package-based customer repository, end to end: Tandem's packages are built and
 * published to a private registry on loopback (Verdaccio), the scope is configured as the guide
 * says (`npm config set @tandem:registry ...`), a repository made from templates/customer
 * installs them, synthesizes its stacks offline for production, dev and pr123 with its
 * customisations, and builds its branded web app; then 1.1.0 is released (changesets) with a data
 * migration, and the repository takes it by bumping its versions.
 */
const PACKAGES = [
  { name: "@tandem/client", dir: "packages/client" },
  { name: "@tandem/core", dir: "packages/core" },
  { name: "@tandem/api", dir: "packages/api" },
  { name: "@tandem/stacks", dir: "stacks" },
  { name: "@tandem/web", dir: "apps/web" },
  { name: "@tandem/local", dir: "tooling/local" },
  { name: "@tandem/cli", dir: "tooling/cli" },
];
const PNPM = "pnpm";
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

let work: string;
let registry: PrivateRegistry;
let env: NodeJS.ProcessEnv;
let customer: string;
let fixture: string;

/** The line a helper script printed after `tag`, parsed. */
function printed<T>(output: string, tag: string): T {
  const line = output.split("\n").find((l) => l.startsWith(`${tag} `));
  if (!line) throw new Error(`no ${tag} line in:\n${output.slice(-3_000)}`);
  return JSON.parse(line.slice(tag.length + 1)) as T;
}

/** Packs every published package as `pnpm publish` would (workspace versions resolved, publishConfig applied), unpacked. */
async function packAll(into: string): Promise<Record<string, string>> {
  mkdirSync(into, { recursive: true });
  const dirs: Record<string, string> = {};
  for (const p of PACKAGES) {
    const out = path.join(into, p.name.replace("@tandem/", ""));
    mkdirSync(out, { recursive: true });
    await run(PNPM, ["pack", "--pack-destination", out], { cwd: path.join(ROOT, p.dir), env });
    const tarball = readdirSync(out).find((f) => f.endsWith(".tgz"))!;
    await run("tar", ["-xzf", tarball], { cwd: out });
    dirs[p.name] = path.join(out, "package");
  }
  return dirs;
}

async function publishAll(dirs: Record<string, string>): Promise<void> {
  for (const p of PACKAGES) await run("npm", ["publish", "--access", "restricted"], { cwd: dirs[p.name], env });
}

type Synth = Record<string, { resources: Record<string, number>; routes: string[]; handlers: string[]; retained: number }>;

async function synth(stage: string): Promise<Synth> {
  const out = await run(TSX, ["synth.mts", stage], { cwd: customer, env: { ...env, NODE_ENV: "test", TANDEM_WEB_PATH: fixture } });
  return printed<Synth>(out, "SYNTH");
}

const stackOf = (s: Synth, name: string) => Object.entries(s).find(([id]) => id.endsWith(`-${name}`))?.[1];

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), "tandem-customer-"));
  registry = await startPrivateRegistry({ dir: path.join(work, "registry") });
  const npmrc = path.join(work, "npmrc");
  env = { ...process.env, NPM_CONFIG_USERCONFIG: npmrc, npm_config_userconfig: npmrc, NEXT_TELEMETRY_DISABLED: "1", CI: "true" };
  // Only the user configuration the test writes: none of the settings npm or pnpm passed to this process.
  for (const key of Object.keys(env)) if (/^npm_(package|config)_/i.test(key) && key !== "npm_config_userconfig") delete env[key];
  // Seed 000: the scope's registry, and the credentials its owner handed out.
  await run("npm", ["config", "set", "@tandem:registry", registry.url], { cwd: work, env });
  await run("npm", ["config", "set", `//${registry.url.replace(/^http:\/\//, "")}:_authToken`, registry.token], { cwd: work, env });
  await run(PNPM, ["build:packages"], { cwd: ROOT, env });
  await publishAll(await packAll(path.join(work, "packs-1.0.0")));
  customer = path.join(work, "customer-tandem");
  cpSync(path.join(ROOT, "templates/customer"), customer, { recursive: true });
  cpSync(path.join(ROOT, "tooling/cli/test/customer/synth.mts"), path.join(customer, "synth.mts"));
  cpSync(path.join(ROOT, "tooling/cli/test/customer/migrate.mts"), path.join(customer, "migrate.mts"));
  fixture = writeOpenNextFixture();
}, 600_000);

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("a customer repository on Tandem's published packages", () => {
  it("publishes every package with built output, types, an exports map, a semantic version and a changelog, reaching into no monorepo path", async () => {
    for (const p of PACKAGES) {
      const view = await run("npm", ["view", `${p.name}@1.0.0`, "--json"], { cwd: work, env });
      const meta = JSON.parse(view.slice(view.indexOf("{"))) as { version: string; exports?: Record<string, unknown>; dependencies?: Record<string, string>; dist?: { tarball: string } };
      expect(meta.version, p.name).toBe("1.0.0");
      for (const [dep, range] of Object.entries(meta.dependencies ?? {})) expect(range, `${p.name} → ${dep}`).not.toMatch(/^workspace:/);
    }
    const dirs = await packAll(path.join(work, "inspect"));
    for (const name of ["@tandem/client", "@tandem/core", "@tandem/api", "@tandem/stacks", "@tandem/local"]) {
      const manifest = JSON.parse(readFileSync(path.join(dirs[name]!, "package.json"), "utf8")) as { exports: Record<string, unknown> };
      const targets = JSON.stringify(manifest.exports);
      expect(targets, name).not.toContain("/src/");
      expect(targets, name).toContain("./dist/");
      expect(existsSync(path.join(dirs[name]!, "CHANGELOG.md")), name).toBe(true);
      // Built JavaScript with its declarations, and no TypeScript sources.
      const files = await run("find", [".", "-name", "*.ts", "-not", "-name", "*.d.ts", "-not", "-path", "./node_modules/*"], { cwd: dirs[name] });
      expect(files.trim(), name).toBe("");
    }
    expect(existsSync(path.join(dirs["@tandem/api"]!, "dist-fanout/fanout.mjs"))).toBe(true);
    expect(existsSync(path.join(dirs["@tandem/core"]!, "dist/config/index.d.ts"))).toBe(true);
    // No path in the built code names this repository's folders (comments may still mention them).
    const grep = await run("grep", ["-rlE", "[\"'`](\\.\\./)*(packages|apps|tooling|stacks)/[a-z]", "--include=*.js", "."], { cwd: path.join(work, "inspect") }).catch(() => "");
    expect(grep.trim()).toBe("");
  }, 300_000);

  it("installs from the private registry, synthesizes production, dev and pr123 offline with its customisations, builds its branded web app, and runs it all locally with pnpm dev", async () => {
    await run(PNPM, ["install", "--prefer-offline", "--no-frozen-lockfile"], { cwd: customer, env });
    const installed = JSON.parse(readFileSync(path.join(customer, "node_modules/@tandem/core/package.json"), "utf8")) as { version: string };
    expect(installed.version).toBe("1.0.0");
    // It depends on Tandem's packages only; SST comes with @tandem/stacks, and `pnpm sst` finds it.
    const own = JSON.parse(readFileSync(path.join(customer, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies?: Record<string, string> };
    expect(Object.keys({ ...own.dependencies, ...own.devDependencies }).every((name) => name.startsWith("@tandem/"))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(customer, "node_modules/sst/package.json"), "utf8")).version).toBe("2.49.8");
    expect(await run(PNPM, ["sst", "--help"], { cwd: customer, env })).toContain("sst deploy");

    for (const stage of ["production", "dev", "pr123"]) {
      const s = await synth(stage);
      // Tandem's stacks, and Acme's own beside them.
      for (const name of ["Secrets", "Network", "Storage", "Email", "Events", "Migrations", "Live", "Api", "Jobs", "Web", "Monitoring", "AcmeExtras"]) expect(stackOf(s, name), `${stage}: ${name}`).toBeDefined();
      expect(stackOf(s, "AcmeExtras")!.routes, stage).toContain("GET /api/acme/status");
      expect(stackOf(s, "AcmeExtras")!.resources["AWS::S3::Bucket"], stage).toBe(1);
      expect(stackOf(s, "Api")!.routes, stage).toContain("$default");
      expect(stackOf(s, "Monitoring")!.resources["AWS::CloudWatch::Alarm"], stage).toBeGreaterThan(20);
      // Every Tandem function runs the installed package's built code.
      const handlers = Object.values(s).flatMap((x) => x.handlers).filter((h) => !h.startsWith("src/"));
      expect(handlers.length, stage).toBeGreaterThan(8);
      for (const h of handlers) {
        expect(h, stage).toMatch(/^node_modules\/@tandem\/api\/dist\//);
        expect(existsSync(path.join(customer, `${h.slice(0, h.lastIndexOf("."))}.js`)), h).toBe(true);
      }
      // Production keeps its buckets; the others remove theirs.
      expect(stackOf(s, "Storage")!.retained, stage).toBe(stage === "production" ? 3 : 0);
    }

    // The web app, written with Acme's brand and built as the site builds it.
    await run(PNPM, ["web"], { cwd: customer, env });
    expect(JSON.parse(readFileSync(path.join(customer, "web/brand.json"), "utf8"))).toEqual({ name: "Acme Assist", primaryColor: "teal", logo: "/brand/logo.svg" });
    await run(path.join(customer, "node_modules/.bin/next"), ["build"], { cwd: path.join(customer, "web"), env });
    const port = await getPort({ host: "127.0.0.1" });
    const server = spawn(path.join(customer, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], { cwd: path.join(customer, "web"), env: { ...env, TANDEM_API_URL: "http://127.0.0.1:9" }, stdio: "ignore" });
    try {
      let page = "";
      for (let i = 0; i < 100 && !page; i++) {
        page = await fetch(`http://127.0.0.1:${port}/sign-in`).then((r) => (r.ok ? r.text() : ""), () => "");
        if (!page) await new Promise((r) => setTimeout(r, 200));
      }
      expect(page).toContain("<title>Acme Assist</title>");
      const logo = await fetch(`http://127.0.0.1:${port}/brand/logo.svg`);
      expect(logo.status).toBe(200);
      expect(await logo.text()).toContain("<svg");
    } finally {
      server.kill("SIGKILL");
    }

    // `pnpm dev` as here: the embedded database and AWS endpoint, the installed API and fan-out, the
    // branded web app. (Its services come from this repository's installation, not built again.)
    const home = path.join(work, "tandem-home");
    mkdirSync(home, { recursive: true });
    for (const entry of readdirSync(path.join(ROOT, ".tandem"))) if (!["data", "logs"].includes(entry)) symlinkSync(path.join(ROOT, ".tandem", entry), path.join(home, entry));
    const dev = spawn(path.join(customer, "node_modules/.bin/tandem"), ["dev"], { cwd: customer, env: { ...env, TANDEM_HOME: home, API_PORT: String(await getPort()), PORT: String(await getPort()), LIVE_PORT: String(await getPort()), MAILBOX_PORT: String(await getPort()) }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    dev.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      const url = async (label: string) => {
        for (let i = 0; i < 600; i++) {
          const found = new RegExp(`${label}\\s+(http://127\\.0\\.0\\.1:\\d+)`).exec(output)?.[1];
          if (found) return found;
          await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error(`tandem dev printed no ${label} address:\n${output.slice(-3_000)}`);
      };
      const apiUrl = await url("API");
      const webUrl = await url("Web app");
      let health: { status?: string } = {};
      for (let i = 0; i < 150 && health.status !== "ok"; i++) {
        health = await fetch(`${apiUrl}/api/health`).then((r) => r.json() as Promise<{ status?: string }>, () => ({}));
        if (health.status !== "ok") await new Promise((r) => setTimeout(r, 200));
      }
      expect(health.status, output.slice(-3_000)).toBe("ok");
      const signIn = await fetch(`${webUrl}/sign-in`, { signal: AbortSignal.timeout(120_000) }).then((r) => r.text());
      expect(signIn).toContain("<title>Acme Assist</title>");
    } finally {
      process.kill(-dev.pid!, "SIGTERM");
      await new Promise((r) => setTimeout(r, 3_000));
      try {
        process.kill(-dev.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }, 600_000);

  it("takes 1.1.0 by bumping its versions: the changelog says what changed, and its data migration runs once and is recorded", async () => {
    const mongodbUri = `${inject("mongodbUri")}/customer-update-test`;
    const migrate = async () => printed<{ release: string; applied: string[]; skipped: string[]; recorded: Array<{ id: string; version: string; appliedBy: string }>; regions: Array<string | null> }>(await run(TSX, ["migrate.mts"], { cwd: customer, env: { ...env, MONGODB_URI: mongodbUri } }), "MIGRATE");
    // A tenant of the 1.0.0 installation; 1.0.0 has no migration to run.
    const seed = await run(TSX, ["-e", `import("@tandem/core/database").then(async ({ getConnection, closeConnection }) => { const c = await getConnection({ uri: ${JSON.stringify(mongodbUri)} }); await c.dropDatabase(); await c.collection("tenants").insertOne({ name: "Acme", slug: "acme" }); await closeConnection(); console.log("SEEDED {}"); })`], { cwd: customer, env });
    expect(seed).toContain("SEEDED");
    expect(await migrate()).toMatchObject({ release: "1.0.0", applied: [], recorded: [] });

    // The release: a changeset, `changeset version` (all five packages move together), then publish.
    const release = path.join(work, "release");
    for (const file of ["package.json", "pnpm-workspace.yaml", ".changeset/config.json"]) cpSync(path.join(ROOT, file), path.join(release, file));
    for (const p of PACKAGES) for (const file of ["package.json", "CHANGELOG.md"]) cpSync(path.join(ROOT, p.dir, file), path.join(release, p.dir, file));
    writeFileSync(
      path.join(release, ".changeset/tenant-region.md"),
      '---\n"@tandem/core": minor\n---\n\nOrganisations record their AWS region. **Action needed** if a customisation reads `tenants` directly: the new `region` field is set on every organisation by a data migration during the deploy.\n',
    );
    await run(path.join(ROOT, "node_modules/.bin/changeset"), ["version"], { cwd: release, env });
    const changelog = readFileSync(path.join(release, "packages/core/CHANGELOG.md"), "utf8");
    expect(changelog).toMatch(/## 1\.1\.0\s+### Minor Changes[\s\S]*\*\*Action needed\*\*/);
    expect(changelog.indexOf("## 1.1.0")).toBeLessThan(changelog.indexOf("## 1.0.0"));
    const dirs = await packAll(path.join(work, "packs-1.1.0"));
    for (const p of PACKAGES) {
      const versioned = JSON.parse(readFileSync(path.join(release, p.dir, "package.json"), "utf8")) as { version: string };
      expect(versioned.version, p.name).toBe("1.1.0");
      const manifestFile = path.join(dirs[p.name]!, "package.json");
      const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { version: string; dependencies?: Record<string, string> };
      manifest.version = versioned.version;
      for (const dep of Object.keys(manifest.dependencies ?? {})) if (dep.startsWith("@tandem/")) manifest.dependencies![dep] = `^${versioned.version}`;
      writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
      cpSync(path.join(release, p.dir, "CHANGELOG.md"), path.join(dirs[p.name]!, "CHANGELOG.md"));
    }
    // 1.1.0's migration, in the built @tandem/core as its release would ship it.
    const migrations = path.join(dirs["@tandem/core"]!, "dist/migrations/index.js");
    const code = readFileSync(migrations, "utf8");
    expect(code).toContain("export const MIGRATIONS = [];");
    writeFileSync(
      migrations,
      code.replace(
        "export const MIGRATIONS = [];",
        'export const MIGRATIONS = [{ id: "2026-12-02-tenant-region", version: "1.1.0", description: "Every organisation records its AWS region.", async up(connection) { await connection.collection("tenants").updateMany({ region: { $exists: false } }, { $set: { region: "us-east-1" } }); } }];',
      ),
    );
    await publishAll(dirs);

    // The customer: bump, install, read the changelog, test, deploy (synth).
    const manifestFile = path.join(customer, "package.json");
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { dependencies: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies)) if (dep.startsWith("@tandem/")) manifest.dependencies[dep] = "^1.1.0";
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
    // As a developer does after bumping: the lockfile moves to 1.1.0 and is committed.
    await run(PNPM, ["install", "--prefer-offline", "--no-frozen-lockfile"], { cwd: customer, env });
    expect(JSON.parse(readFileSync(path.join(customer, "node_modules/@tandem/stacks/package.json"), "utf8")).version).toBe("1.1.0");
    expect(readFileSync(path.join(customer, "pnpm-lock.yaml"), "utf8")).toMatch(/'@tandem\/core@1\.1\.0'|@tandem\/core@1\.1\.0/);
    expect(readFileSync(path.join(customer, "node_modules/@tandem/core/CHANGELOG.md"), "utf8")).toContain("**Action needed**");
    const doctor = await run(path.join(customer, "node_modules/.bin/tandem-doctor"), ["--stage", "dev", "--offline"], { cwd: customer, env: { ...env, SERVER_DOMAIN: "acme.example.com" } });
    expect(doctor).toContain('The stage "dev" is ready to deploy (8 checks skipped).');
    expect(stackOf(await synth("dev"), "AcmeExtras")!.routes).toContain("GET /api/acme/status");

    // The deploy's migrations: once, recorded with the release that ran them; the next deploy skips them.
    const first = await migrate();
    expect(first).toMatchObject({ release: "1.1.0", applied: ["2026-12-02-tenant-region"], skipped: [], regions: ["us-east-1"] });
    expect(first.recorded).toEqual([{ id: "2026-12-02-tenant-region", version: "1.1.0", appliedBy: "1.1.0" }]);
    const again = await migrate();
    expect(again).toMatchObject({ applied: [], skipped: ["2026-12-02-tenant-region"] });
    expect(again.recorded).toHaveLength(1);
  }, 600_000);
});
