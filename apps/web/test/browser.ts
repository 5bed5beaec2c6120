import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { waitForPort } from "@tandem/local";
import getPort from "get-port";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { expect } from "vitest";

/**
 * What the web app's Chromium tests share: `next dev` on a free port against an API the test
 * started, Debian's chromium, screenshots in artifacts/, the axe-core scan, signing in through the
 * page, and calling the API from the page as its own code does.
 */
export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ARTIFACTS = path.resolve(WEB_DIR, "..", "..", "artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

export interface WebApp {
  url: string;
  close(): void;
}

/** `next dev` for one test file: its own build folder (`.next-test-<name>`), so files can run side by side. */
export async function startWebApp(options: { apiUrl: string; name: string; env?: Record<string, string>; port?: number }): Promise<WebApp> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const port = options.port ?? (await getPort({ host: "127.0.0.1" }));
  const child: ChildProcess = spawn("pnpm", ["exec", "next", "dev", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: WEB_DIR,
    env: { ...process.env, TANDEM_API_URL: options.apiUrl, NODE_ENV: "development", NEXT_TELEMETRY_DISABLED: "1", NEXT_DIST_DIR: `.next-test-${options.name}`, ...options.env },
    stdio: "ignore",
    detached: true,
  });
  await waitForPort(port, "next dev", "(next dev output is not kept)", 60_000);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      if (child.pid) {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          // already gone
        }
      }
    },
  };
}

/** The port a web app will take, for tests that must know it before the API starts (APP_URL). */
export async function reservePort(): Promise<number> {
  return getPort({ host: "127.0.0.1" });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
}

/** A full-page screenshot at artifacts/<prefix>-<name>.png. */
export async function shot(page: Page, prefix: string, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${prefix}-${name}.png`), fullPage: true });
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`);
  });
  expect(violations, `axe on ${what}`).toEqual([]);
}

/** Signs in through the sign-in page and waits for `next`; `onSignInPage` runs on the page first (a scan, a screenshot). */
export async function signIn(context: BrowserContext, webUrl: string, user: { email: string; password: string }, next: string, onSignInPage?: (page: Page) => Promise<void>): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${webUrl}/sign-in?next=${encodeURIComponent(next)}`, { timeout: 120_000 });
  await onSignInPage?.(page);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${webUrl}${next}`, { timeout: 60_000 });
  return page;
}

/** A call of the API from the page, as the page's own code makes it (cookies and anti-forgery token). */
export function call<T>(page: Page, method: string, url: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const csrf = decodeURIComponent(/(?:^|;\s*)tandem_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? "");
      const response = await fetch(url, { method, headers: { "content-type": "application/json", "x-csrf-token": csrf }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
    { method, url, body },
  );
}
