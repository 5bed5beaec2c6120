import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "@tandem/api";
import { createOperator } from "@tandem/core/control-plane";
import { getConnection } from "@tandem/core/database";
import { resetPassword } from "@tandem/core/identity";
import { usageEventModel } from "@tandem/core/notebooks";
import { startMailCatcher, waitForPort, type MailCatcher } from "@tandem/local";
import getPort from "get-port";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { expectAccessible } from "./browser";

/**
 * The operators' metering pages in Chromium, at 1280 and 375 px: an operator creates, edits and
 * deletes a meter (Tandem's own are fixed); a script's client (tandem/usage) ingests usage for two
 * tenants on three days; /admin/usage shows the total, the chart by day with its table, and the
 * tenants by name, for all tenants and for one; /admin/prices marks the version in force, refuses a
 * version in the past with the API's message and adds one; /admin/reconciliation shows recorded
 * against recomputed cost with the row that differs marked, and the totals.
 * The 1280 px journey runs in the light colour scheme, the 375 px one in the dark; axe-core scans
 * every page (no serious or critical violation). Screenshots go to artifacts/admin-metering-*.png.
 */
const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ARTIFACTS = path.resolve(WEB_DIR, "..", "..", "artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const DATABASE = `${inject("mongodbUri")}/web-admin-metering`;
const OPERATOR = { email: "meter-ops@tandem.test", password: "metering operator passphrase" };
const DAY = 86_400;

let mail: MailCatcher;
let api: Awaited<ReturnType<typeof startServer>>;
let web: ChildProcess;
let webUrl: string;
let browser: Browser;
let connection: Awaited<ReturnType<typeof getConnection>>;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  mail = await startMailCatcher();
  const port = await getPort({ host: "127.0.0.1" });
  webUrl = `http://127.0.0.1:${port}`;
  // Emptied before the API starts: its models build their indexes (one meter per name) on first use.
  connection = await getConnection({ uri: DATABASE });
  await connection.dropDatabase();
  api = await startServer(
    {
      MONGODB_URI: DATABASE,
      SESSION_SECRET: "web-metering-session-secret-0123456789abcdef",
      JWT_SECRET: "web-metering-jwt-secret-0123456789abcdef0123",
      MAIL_HOST: "127.0.0.1",
      MAIL_PORT: String(mail.port),
      MAIL_USERNAME: "mailer",
      MAIL_PASSWORD: "pw",
      MAIL_FROM: "Tandem <no-reply@tandem.test>",
      APP_URL: webUrl,
      LOG_LEVEL: "silent",
    },
    0,
  );
  const { token } = await createOperator(connection, OPERATOR.email);
  await resetPassword(connection, token, OPERATOR.password);

  web = spawn("pnpm", ["exec", "next", "dev", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: WEB_DIR,
    env: { ...process.env, TANDEM_API_URL: api.url, NODE_ENV: "development", NEXT_TELEMETRY_DISABLED: "1", NEXT_DIST_DIR: ".next-test-metering" },
    stdio: "ignore",
    detached: true,
  });
  await waitForPort(port, "next dev", "(next dev output is not kept)", 60_000);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (web?.pid) process.kill(-web.pid, "SIGTERM");
  await api?.close();
  await mail?.close();
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(ARTIFACTS, `admin-metering-${name}.png`), fullPage: true });
}

/** At 375 px nothing makes the page itself scroll sideways (tables become cards). */
async function expectNoSidewaysScroll(page: Page, width: number) {
  if (width > 400) return;
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

async function signIn(context: BrowserContext, who: { email: string; password: string }, next: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${webUrl}/sign-in?next=${encodeURIComponent(next)}`, { timeout: 120_000 });
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${webUrl}${next}`, { timeout: 60_000 });
  return page;
}

/** A control-plane call in the operator's session (cookies, and the anti-forgery token on writes). */
async function asOperator<T>(page: Page, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ method, url, body, headers }) => {
      const csrf = decodeURIComponent(/(?:^|;\s*)tandem_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? "");
      const response = await fetch(url, { method, headers: { "content-type": "application/json", "x-csrf-token": csrf, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: (await response.json().catch(() => undefined)) as T };
    },
    { method, url, body, headers },
  );
}

const meterRow = (page: Page, apiName: string) => page.locator(`[data-testid="meter-row"][data-meter="${apiName}"]`);

/** Mantine's modal has finished opening (axe must not see it half-faded). */
async function dialogOpen(page: Page) {
  await page.getByRole("dialog").waitFor({ timeout: 10_000 });
  await expect
    .poll(() => page.evaluate(() => [...document.querySelectorAll(".mantine-Modal-content, .mantine-Modal-overlay")].map((el) => `${getComputedStyle(el).opacity}|${getComputedStyle(el).transform}`).join()), { timeout: 10_000 })
    .toMatch(/^(1\|(none|matrix\(1, 0, 0, 1, 0, 0\)),?)+$/);
}

async function meteringJourney(width: number, colorScheme: "light" | "dark") {
  const size = `${width}`;
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
  const page = await signIn(context, OPERATOR, "/admin/meters");

  // Meters: Tandem's own are fixed (no edit or delete); an operator's can be created, edited, deleted.
  await expect.poll(() => meterRow(page, "reply_input_tokens").count(), { timeout: 90_000 }).toBe(1);
  expect(await meterRow(page, "cost_usd").getByTestId("meter-fixed").textContent()).toContain("fixed");
  expect(await meterRow(page, "reply_input_tokens").getByRole("button").count()).toBe(0);
  const apiName = `api_calls_${size}`;
  const form = page.getByTestId("create-meter");
  await form.getByLabel("API name").fill(apiName);
  await form.getByLabel("Display name").fill(`API calls ${size}`);
  await form.getByLabel("Unit").fill("calls");
  await form.getByLabel("Description").fill("Calls of the application plane's API");
  await form.getByLabel("Aggregation").selectOption("sum");
  await form.getByRole("button", { name: "Create meter" }).click();
  await expect.poll(() => page.getByTestId("meters-note").textContent(), { timeout: 30_000 }).toContain(`usage events name it as ${apiName}`);
  await expect.poll(() => meterRow(page, apiName).count(), { timeout: 30_000 }).toBe(1);
  // A name taken is refused with the API's reason.
  await form.getByLabel("API name").fill(apiName);
  await form.getByLabel("Display name").fill("Again");
  await form.getByRole("button", { name: "Create meter" }).click();
  await expect.poll(() => form.getByTestId("form-error").count(), { timeout: 30_000 }).toBe(1);
  // Edit: a dialog with the meter's values; the API name cannot change.
  await meterRow(page, apiName).getByRole("button", { name: `Edit API calls ${size}` }).click();
  const edit = page.getByTestId("edit-meter");
  await expect.poll(() => edit.isVisible(), { timeout: 10_000 }).toBe(true);
  expect(await edit.getByLabel("Display name").inputValue()).toBe(`API calls ${size}`);
  await edit.getByLabel("Display name").fill(`Partner API calls ${size}`);
  await expectNoSidewaysScroll(page, width);
  await dialogOpen(page);
  await expectAccessible(page, `the meter dialog, ${colorScheme}`);
  await page.screenshot({ path: path.join(ARTIFACTS, `admin-metering-${size}-1b-edit-meter.png`) });
  await edit.getByRole("button", { name: "Save meter" }).click();
  await expect.poll(() => page.getByTestId("meters-note").textContent(), { timeout: 30_000 }).toContain(`“Partner API calls ${size}” is saved`);
  await expect.poll(() => meterRow(page, apiName).locator("th").textContent(), { timeout: 30_000 }).toBe(`Partner API calls ${size}`);
  // Delete asks first; a spare meter goes.
  const spare = `spare_${size}`;
  await form.getByLabel("API name").fill(spare);
  await form.getByLabel("Display name").fill(`Spare ${size}`);
  await form.getByRole("button", { name: "Create meter" }).click();
  await expect.poll(() => meterRow(page, spare).count(), { timeout: 30_000 }).toBe(1);
  await meterRow(page, spare).getByRole("button", { name: `Delete Spare ${size}` }).click();
  const dialog = page.getByRole("dialog");
  await expect.poll(() => dialog.textContent(), { timeout: 10_000 }).toContain(`Delete the meter “Spare ${size}”?`);
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
  await dialog.getByRole("button", { name: "Delete meter" }).click();
  await expect.poll(() => meterRow(page, spare).count(), { timeout: 30_000 }).toBe(0);
  // The confirmation has finished closing (axe must not see it half-faded over the page).
  await expect.poll(() => page.getByRole("dialog").count(), { timeout: 10_000 }).toBe(0);
  expect(await page.evaluate(() => document.documentElement.getAttribute("data-mantine-color-scheme"))).toBe(colorScheme);
  await expectNoSidewaysScroll(page, width);
  await expectAccessible(page, `the meters page, ${colorScheme}`);
  await shot(page, `${size}-1-meters`);

  // Two tenants, and a script's client with tandem/usage that ingests their usage.
  const tenants: Array<{ tenantId: string; tenantName: string }> = [];
  for (const name of [`Babbage Works ${size}`, `Lovelace Labs ${size}`]) {
    const made = await asOperator<{ data: { tenantId: string; tenantName: string } }>(page, "POST", "/control-plane/tenants", { tenantName: name, email: `${name.split(" ")[0]!.toLowerCase()}-${size}@tandem.test`, tier: "basic" }, { "idempotency-key": randomUUID() });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    tenants.push(made.body.data);
  }
  const [babbage, lovelace] = tenants as [(typeof tenants)[0], (typeof tenants)[0]];
  const client = await asOperator<{ data: { clientId: string; clientSecret: string } }>(page, "POST", "/control-plane/clients", { name: `usage script ${size}`, scopes: ["tandem/usage"] });
  expect(client.status).toBe(201);
  const tokenResponse = await fetch(`${webUrl}/control-plane/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${client.body.data.clientId}:${client.body.data.clientSecret}`).toString("base64")}` },
    body: new URLSearchParams({ grant_type: "client_credentials" }),
  });
  expect(tokenResponse.status).toBe(200);
  const { access_token: accessToken } = (await tokenResponse.json()) as { access_token: string };
  const today = Math.floor(Date.now() / 1000 / DAY) * DAY;
  const events = [
    { tenantId: babbage.tenantId, meterValue: 120, timestamp: today + 60 },
    { tenantId: babbage.tenantId, meterValue: 30.5, timestamp: today - DAY + 60 },
    { tenantId: lovelace.tenantId, meterValue: 45, timestamp: today - DAY + 120 },
    { tenantId: lovelace.tenantId, meterValue: 4.5, timestamp: today - 3 * DAY + 60 },
  ].map((e, i) => ({ ...e, meterApiName: apiName, idempotencyKey: `metering-${size}-${i}` }));
  const ingested = await fetch(`${webUrl}/control-plane/usage`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ events }),
  });
  expect(ingested.status).toBe(200);

  // Usage: choose the meter and the last 7 days; the total, the chart, its table, the tenants by name.
  await page.getByTestId("admin-nav").getByRole("link", { name: "Usage", exact: true }).click();
  await page.waitForURL(`${webUrl}/admin/usage`, { timeout: 60_000 });
  await expect.poll(() => page.locator("#usage-meter option").allTextContents(), { timeout: 60_000 }).toContain(`Partner API calls ${size} (${apiName})`);
  const meterId = await page.locator("#usage-meter option", { hasText: `(${apiName})` }).getAttribute("value");
  await page.locator("#usage-meter").selectOption({ label: `Partner API calls ${size} (${apiName})` });
  await page.locator("#usage-period").selectOption("7");
  await page.getByRole("button", { name: "Show usage" }).click();
  await page.waitForURL(/\/admin\/usage\?meter=\w+&period=7/, { timeout: 30_000 });
  expect(page.url()).toContain(`meter=${meterId}`);
  await expect.poll(() => page.getByTestId("usage-total").textContent(), { timeout: 60_000 }).toBe("200");
  expect(await page.getByTestId("usage-events").textContent()).toBe("4");
  // Seven days, three of them with a bar; the drawing is hidden, its summary and table are not.
  await expect.poll(() => page.locator('[data-testid="usage-chart"] .recharts-bar-rectangle').count(), { timeout: 30_000 }).toBe(3);
  expect(await page.locator('[data-testid="usage-chart"] .recharts-xAxis .recharts-cartesian-axis-tick').count()).toBeGreaterThanOrEqual(width > 400 ? 7 : 3);
  expect(await page.getByTestId("usage-chart").getAttribute("aria-hidden")).toBe("true");
  expect(await page.locator("figure.chart-figure").getAttribute("aria-label")).toContain("on 3 of 7 days");
  expect(await page.getByTestId("usage-summary").textContent()).toContain("total 200 calls from 4 events");
  await page.getByText("Table of the days with usage").click();
  expect(await page.getByTestId("usage-days").locator("tbody tr").count()).toBe(3);
  expect(await page.getByTestId("usage-days").textContent()).toContain("75.5");
  const byTenant = page.getByTestId("usage-tenants");
  await expect.poll(() => byTenant.locator("tbody tr").count(), { timeout: 30_000 }).toBe(2);
  expect(await byTenant.locator("tbody tr").first().textContent()).toBe(`Babbage Works ${size}${babbage.tenantId}150.5275.3 %`);
  expect(await byTenant.locator("tbody tr").last().textContent()).toBe(`Lovelace Labs ${size}${lovelace.tenantId}49.5224.8 %`);
  await expectNoSidewaysScroll(page, width);
  await expectAccessible(page, `the usage page, ${colorScheme}`);
  await shot(page, `${size}-2-usage`);
  // One tenant.
  await page.getByRole("combobox", { name: "Tenant" }).selectOption({ label: `Lovelace Labs ${size}` });
  await page.getByRole("button", { name: "Show usage" }).click();
  await expect.poll(() => page.getByTestId("usage-total").textContent(), { timeout: 60_000 }).toBe("49.5");
  expect(await page.getByTestId("usage-summary").textContent()).toContain(`for Lovelace Labs ${size}`);
  // Dates: the day before yesterday alone has nothing.
  await page.locator("#usage-period").selectOption("custom");
  const dayBefore = new Date((today - 2 * DAY) * 1000).toISOString().slice(0, 10);
  await page.getByRole("textbox", { name: "From", exact: true }).fill(dayBefore);
  await page.getByRole("textbox", { name: "To", exact: true }).fill(dayBefore);
  await page.getByRole("button", { name: "Show usage" }).click();
  await expect.poll(() => page.getByTestId("usage-total").textContent(), { timeout: 60_000 }).toBe("0");
  expect(await page.getByTestId("usage-summary").textContent()).toContain("no usage on any day");
  await expectNoSidewaysScroll(page, width);

  // Prices: the version in force marked; a version in the past is refused with the API's reason; one is added.
  await page.getByTestId("admin-nav").getByRole("link", { name: "Prices", exact: true }).click();
  await expect.poll(() => page.getByTestId("in-force").count(), { timeout: 60_000 }).toBe(1);
  const prices = await asOperator<{ data: Array<{ version: number; prices: Record<string, { input_tokens?: number }> }> }>(page, "GET", "/control-plane/prices");
  const modelId = Object.keys(prices.body.data[0]!.prices).find((m) => prices.body.data[0]!.prices[m]!.input_tokens !== undefined)!;
  const newest = Math.max(...prices.body.data.map((v) => v.version));
  expect(await page.locator('[data-testid="price-version"][data-state="current"]').getAttribute("data-version")).toBe(String(newest));
  await expectAccessible(page, `the prices page, ${colorScheme}`);
  await shot(page, `${size}-3-prices`);
  const add = page.getByTestId("add-prices");
  await add.getByLabel("Model id").fill(modelId);
  await add.getByLabel(/^Input/).fill("0.004");
  await add.getByLabel(/^Output/).fill("0.016");
  await add.getByLabel("Note").fill(`provider's new prices ${size}`);
  await add.getByLabel("In force from").fill("2020-01-01T09:00");
  await add.getByRole("button", { name: "Add version" }).click();
  await expect.poll(() => add.getByTestId("form-error").textContent(), { timeout: 30_000 }).toContain("cannot take effect in the past");
  await expectNoSidewaysScroll(page, width);
  await shot(page, `${size}-3b-prices-refused`);
  await add.getByLabel("In force from").fill("");
  await add.getByRole("button", { name: "Add version" }).click();
  await expect.poll(() => page.getByTestId("prices-note").textContent(), { timeout: 30_000 }).toBe(`Version ${newest + 1} is added and in force now.`);
  await expect.poll(() => page.locator('[data-testid="price-version"][data-state="current"]').getAttribute("data-version"), { timeout: 30_000 }).toBe(String(newest + 1));
  expect(await page.locator(`[data-testid="prices-v${newest + 1}"] tr[data-model="${modelId}"]`).textContent()).toContain("$0.004");
  await expectNoSidewaysScroll(page, width);
  await shot(page, `${size}-4-prices-added`);

  // Reconciliation: two reply records of Babbage's, one recorded at the wrong cost.
  const at = new Date(Math.min(Date.now() - 60_000, (today + DAY - 120) * 1000));
  const { ObjectId } = connection.base.Types;
  const common = { kind: "reply", userId: new ObjectId(), notebookId: new ObjectId(), messageId: new ObjectId(), images: 0, priceVersion: 1, status: "complete", at, tenantId: new ObjectId(babbage.tenantId) };
  await usageEventModel(connection).collection.insertMany([
    { ...common, idempotencyKey: `rec-${size}-a`, modelId, inputTokens: 1000, outputTokens: 500, costUsd: 0.5 },
    { ...common, idempotencyKey: `rec-${size}-b`, modelId: "free-model", inputTokens: 0, outputTokens: 0, costUsd: 0 },
  ]);
  await page.getByTestId("admin-nav").getByRole("link", { name: "Reconciliation", exact: true }).click();
  await page.waitForURL(`${webUrl}/admin/reconciliation`, { timeout: 60_000 });
  await expect.poll(() => page.getByRole("combobox", { name: "Tenant" }).evaluate((s) => (s as HTMLSelectElement).options.length), { timeout: 60_000 }).toBeGreaterThan(1);
  await page.getByRole("combobox", { name: "Tenant" }).selectOption({ label: `Babbage Works ${size}` });
  await page.getByRole("button", { name: "Show report" }).click();
  await page.waitForURL(/\/admin\/reconciliation\?from=.*tenant=/, { timeout: 30_000 });
  const rows = page.getByTestId("reconciliation-row");
  // The report for the choices in the address (an earlier answer is never shown as this one's).
  await expect.poll(() => page.getByTestId("reconciliation").getAttribute("aria-busy"), { timeout: 60_000 }).toBe("false");
  await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(2);
  await expect.poll(() => page.getByTestId("differs").count(), { timeout: 30_000 }).toBe(1);
  expect(await page.locator('[data-testid="reconciliation-row"][data-differs]').textContent()).toContain(modelId);
  expect(await page.getByTestId("rows-differing").textContent()).toBe("1 of 2");
  expect(await page.getByTestId("reconciliation-total").textContent()).toContain("$0.50");
  expect(await rows.first().textContent()).toContain(`Babbage Works ${size}`);
  await expectNoSidewaysScroll(page, width);
  await expectAccessible(page, `the reconciliation page, ${colorScheme}`);
  await shot(page, `${size}-5-reconciliation`);
  // More than 93 days is refused before asking.
  await page.getByRole("textbox", { name: "From", exact: true }).fill("2025-01-01");
  await page.getByRole("textbox", { name: "To", exact: true }).fill("2025-12-31");
  await page.getByRole("button", { name: "Show report" }).click();
  await expect.poll(() => page.getByTestId("reconciliation").getByRole("alert").textContent(), { timeout: 30_000 }).toContain("at most 93 days");
  await context.close();
}

describe("the operators' metering pages", () => {
  it("show meters, usage, prices and the reconciliation at 1280 px (light)", async () => {
    await meteringJourney(1280, "light");
  }, 420_000);

  it("work at 375 px without the page scrolling sideways (dark)", async () => {
    await meteringJourney(375, "dark");
  }, 300_000);
});
