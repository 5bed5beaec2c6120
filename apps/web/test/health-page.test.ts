import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "@tandem/api";
import { startFerretDB, waitForPort, type FerretDB } from "@tandem/local";
import getPort from "get-port";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ARTIFACTS = path.resolve(WEB_DIR, "..", "..", "artifacts");
// Debian's chromium; `.ci/run` installs it. Override with CHROMIUM_PATH.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let ferret: FerretDB;
let dataDir: string;
let api: Awaited<ReturnType<typeof startServer>>;
let web: ChildProcess;
let webUrl: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dataDir = mkdtempSync(path.join(os.tmpdir(), "tandem-web-"));
  ferret = await startFerretDB({ dataDir, name: "ferretdb-web" });
  api = await startServer(
    { MONGODB_URI: `${ferret.uri}/web`, SESSION_SECRET: "web-test-session-secret-0123456789abcdef", JWT_SECRET: "web-test-jwt-secret-0123456789abcdef01", LOG_LEVEL: "silent" },
    0,
  );
  const port = await getPort({ host: "127.0.0.1" });
  web = spawn("pnpm", ["exec", "next", "dev", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: WEB_DIR,
    env: { ...process.env, TANDEM_API_URL: api.url, NODE_ENV: "development", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: "ignore",
    detached: true,
  });
  await waitForPort(port, "next dev", "(next dev output is not kept)", 60_000);
  webUrl = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  page = await browser.newPage({ viewport: { width: 375, height: 740 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (web?.pid) process.kill(-web.pid, "SIGTERM");
  await api?.close();
  await ferret?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the web app's first page", () => {
  it("shows the API and the database up, then down with a reason, then up again", async () => {
    // The first request compiles the page in dev mode.
    await page.goto(webUrl, { timeout: 120_000 });
    // The page refreshes itself: on a loaded machine its first look at the API may time out.
    await expect.poll(() => page.getByTestId("api-status").textContent(), { timeout: 40_000, interval: 500 }).toBe("ok");
    expect(await page.getByTestId("database-status").textContent()).toMatch(/^up · \d+ ms$/);
    // This API has no knowledge bucket: the page says so instead of leaving storage out.
    expect(await page.getByTestId("storage-status").textContent()).toBe("not configured");
    await page.screenshot({ path: path.join(ARTIFACTS, "web-health-up.png"), fullPage: true });

    await ferret.stop();
    // The page refreshes itself every 5 s; no reload by the test.
    await expect.poll(() => page.getByTestId("database-status").textContent(), { timeout: 30_000, interval: 500 }).toBe("down");
    expect(await page.getByTestId("api-status").textContent()).toBe("degraded");
    expect(await page.getByTestId("database-reason").textContent()).not.toBe("");
    await page.screenshot({ path: path.join(ARTIFACTS, "web-health-database-down.png"), fullPage: true });

    await ferret.start();
    await expect.poll(() => page.getByTestId("api-status").textContent(), { timeout: 40_000, interval: 500 }).toBe("ok");
  }, 240_000);
});
