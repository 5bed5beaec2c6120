import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { waitForPort, type MailCatcher } from "@tandem/local";
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

/** The link in the first mail to `to` received after the first `since` mails that opens `pathname` with a token, as the person would click it. */
export async function mailedLink(mail: MailCatcher, webUrl: string, to: string, since: number, pathname: string): Promise<string> {
  const message = await mail.waitFor(to, since, 20_000);
  const match = new RegExp(`${webUrl}${pathname}\\?token=[\\w%-]+`).exec(message.text ?? "");
  expect(match, `no ${pathname} link in the mail to ${to}`).not.toBeNull();
  return match![0];
}

/**
 * Signs up through the sign-up page and confirms the address through the link mailed to it;
 * `at` runs on the page at each stage (a scan, a screenshot): the empty form, the "mail sent"
 * notice, the confirmed address.
 */
export async function signUpAndConfirm(page: Page, webUrl: string, mail: MailCatcher, user: { name: string; email: string; password: string }, at?: (stage: "form" | "sent" | "confirmed") => Promise<void>): Promise<void> {
  const since = mail.received.length;
  await page.goto(`${webUrl}/sign-up`, { timeout: 120_000 });
  await page.getByLabel("Your name").waitFor({ timeout: 60_000 });
  await at?.("form");
  await page.getByLabel("Your name").fill(user.name);
  await page.getByLabel("Work email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect.poll(() => page.getByTestId("sign-up-done").textContent(), { timeout: 60_000 }).toContain(user.email);
  await at?.("sent");
  const link = await mailedLink(mail, webUrl, user.email, since, "/verify-email");
  await page.goto(link, { timeout: 120_000 });
  await expect.poll(() => page.getByTestId("token-done").textContent(), { timeout: 60_000 }).toContain("confirmed");
  await at?.("confirmed");
}

/** A Mantine drawer or modal matching `selector` has finished opening (axe must not see it half-faded). */
export function settled(page: Page, selector: string): Promise<void> {
  return expect
    .poll(() => page.evaluate((s) => [...document.querySelectorAll(s)].map((el) => `${getComputedStyle(el).opacity}|${getComputedStyle(el).transform}`).join(), selector), { timeout: 10_000 })
    .toMatch(/^(1\|(none|matrix\(1, 0, 0, 1, 0, 0\)),?)+$/);
}

/**
 * Confirms (or cancels) the open confirmation dialog (ui/confirm.tsx) after checking what it says,
 * then waits for it to close; with `screenshot`, the settled dialog is shot first. It may be
 * open over another dialog (the files panel).
 */
export async function answerConfirmation(page: Page, says: string, confirm: boolean, screenshot?: { prefix: string; name: string }): Promise<void> {
  const dialog = page.getByRole("dialog").filter({ has: page.getByTestId("confirm-action") });
  await expect.poll(() => dialog.textContent(), { timeout: 10_000 }).toContain(says);
  if (screenshot) {
    await settled(page, ".mantine-Modal-content");
    await shot(page, screenshot.prefix, screenshot.name);
  }
  await dialog.getByTestId(confirm ? "confirm-action" : "confirm-cancel").click();
  await expect.poll(() => page.getByTestId("confirm-action").count(), { timeout: 10_000 }).toBe(0);
}

export interface DraggedFile {
  name: string;
  type: string;
  text: string;
}

/**
 * Files dragged from the desktop onto the element at `selector`: `over` sends dragenter and
 * dragover (the page shows where to drop), `drop` drops them.
 */
export function dragFiles(page: Page, selector: string, files: DraggedFile[], what: "over" | "drop"): Promise<void> {
  return page.evaluate(
    ({ selector, files, what }) => {
      const transfer = new DataTransfer();
      for (const f of files) transfer.items.add(new File([f.text], f.name, { type: f.type }));
      const target = document.querySelector(selector);
      if (!target) throw new Error(`nothing at ${selector} to drop on`);
      for (const type of what === "over" ? ["dragenter", "dragover"] : ["drop"]) target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    },
    { selector, files, what },
  );
}

/** Uploads from the page slowed to `bytesPerSecond` (Chromium's network emulation); the function returned lifts the limit. */
export async function throttleUploads(context: BrowserContext, page: Page, bytesPerSecond: number): Promise<() => Promise<void>> {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
  return async () => {
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
  };
}

/**
 * Records in the page, under `key`, every state the elements at `selector` go through: each the
 * `attributes` (`data-status`, say, or `text` for the text) joined by ":",
 * an element's repeated states left out. Read with `recorded`.
 */
export function recordStates(page: Page, key: string, selector: string, attributes: string[]): Promise<void> {
  return page.evaluate(
    ({ key, selector, attributes }) => {
      const seen: string[] = [];
      (window as unknown as Record<string, string[]>)[`__states_${key}`] = seen;
      const last = new WeakMap<Element, string>();
      const note = () => {
        for (const el of document.querySelectorAll(selector)) {
          const state = attributes.map((a) => (a === "text" ? (el.textContent ?? "") : el.getAttribute(a))).join(":");
          if (last.get(el) !== state) seen.push(state);
          last.set(el, state);
        }
      };
      note();
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    },
    { key, selector, attributes },
  );
}

export function recorded(page: Page, key: string): Promise<string[]> {
  return page.evaluate((key) => (window as unknown as Record<string, string[]>)[`__states_${key}`] ?? [], key);
}
