import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "@tandem/api";
import { CONTROL_PLANE_SCOPES, createOperator } from "@tandem/core/control-plane";
import { getConnection } from "@tandem/core/database";
import { resetPassword, signUp, verifyEmail } from "@tandem/core/identity";
import { startMailCatcher, waitForPort, type MailCatcher } from "@tandem/local";
import getPort from "get-port";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { expectAccessible } from "./browser";

/**
 * The operators' admin pages in Chromium, at 1280 and 375 px: sign in as an operator, register a
 * tenant through the form (a double click makes one), watch it provisioned, deactivate and
 * activate it, offboard one after the confirmation, read a tenant's page, create a client
 * credential and see its secret once, read the audit log; a member sees "only operators".
 * The 1280 px journey runs in the light colour scheme, the 375 px one in the dark; axe-core scans
 * every page on the way (no serious or critical violation). Screenshots go to artifacts/admin-*.png.
 */
const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ARTIFACTS = path.resolve(WEB_DIR, "..", "..", "artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const DATABASE = `${inject("mongodbUri")}/web-admin-pages`;
const OPERATOR = { email: "ops@tandem.test", password: "control plane passphrase" };
const MEMBER = { email: "member@tandem.test", password: "ordinary member passphrase" };

let mail: MailCatcher;
let api: Awaited<ReturnType<typeof startServer>>;
let web: ChildProcess;
let webUrl: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  mail = await startMailCatcher();
  const port = await getPort({ host: "127.0.0.1" });
  webUrl = `http://127.0.0.1:${port}`;
  api = await startServer(
    {
      MONGODB_URI: DATABASE,
      SESSION_SECRET: "web-admin-session-secret-0123456789abcdef",
      JWT_SECRET: "web-admin-jwt-secret-0123456789abcdef0123",
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
  // The same connection as the API's (one per address): an operator made as `pnpm tandem admin create` does, and a member.
  const connection = await getConnection({ uri: DATABASE });
  await connection.dropDatabase();
  const { token } = await createOperator(connection, OPERATOR.email);
  await resetPassword(connection, token, OPERATOR.password);
  const { verifyToken } = await signUp(connection, { email: MEMBER.email, name: "Mere Member", password: MEMBER.password });
  await verifyEmail(connection, verifyToken);

  web = spawn("pnpm", ["exec", "next", "dev", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: WEB_DIR,
    env: { ...process.env, TANDEM_API_URL: api.url, NODE_ENV: "development", NEXT_TELEMETRY_DISABLED: "1", NEXT_DIST_DIR: ".next-test-admin" },
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
  await page.screenshot({ path: path.join(ARTIFACTS, `admin-${name}.png`), fullPage: true });
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

const row = (page: Page, name: string) => page.locator(`[data-testid="tenant-row"][data-tenant="${name}"]`);

/** Mantine's modal has finished opening (axe must not see it half-faded). */
async function dialogOpen(page: Page) {
  await page.getByRole("dialog").waitFor({ timeout: 10_000 });
  await expect
    .poll(() => page.evaluate(() => [...document.querySelectorAll(".mantine-Modal-content, .mantine-Modal-overlay")].map((el) => `${getComputedStyle(el).opacity}|${getComputedStyle(el).transform}`).join()), { timeout: 10_000 })
    .toMatch(/^(1\|(none|matrix\(1, 0, 0, 1, 0, 0\)),?)+$/);
}

async function operatorJourney(width: number, colorScheme: "light" | "dark") {
  const size = `${width}`;
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: webUrl });
  const signedOut = await context.newPage();
  await signedOut.goto(`${webUrl}/admin`, { timeout: 120_000 });
  await expect.poll(() => signedOut.getByTestId("admin-signed-out").textContent(), { timeout: 60_000 }).toContain("Sign in as an operator");
  await expectAccessible(signedOut, `the admin page signed out, ${colorScheme}`);
  await signedOut.close();

  const page = await signIn(context, OPERATOR, "/admin");
  await expect.poll(() => page.getByRole("heading", { name: "Tenants", exact: true }).count(), { timeout: 60_000 }).toBe(1);
  // The header leads operators here.
  await expect.poll(() => page.getByTestId("admin-link").count(), { timeout: 30_000 }).toBe(1);

  // Register a tenant; a double click on the button makes one tenant, not two.
  const name = `Analytical Engines ${size}`;
  await page.getByLabel("Tenant name").fill(name);
  await page.getByLabel("Owner's email").fill(`ada-${size}@tandem.test`);
  // The tiers come from the control plane, with their limits.
  await page.locator("select#field-tier").waitFor({ timeout: 30_000 });
  expect(await page.getByLabel("Tier").textContent()).toContain("premium: any number of members");
  await page.getByLabel("Tier").selectOption("premium");
  await page.getByRole("button", { name: "Register tenant" }).dblclick();
  await expect.poll(() => page.getByTestId("admin-note").textContent(), { timeout: 30_000 }).toContain(`${name} is registered`);
  // The application plane provisions it; the list follows it to active.
  await expect.poll(() => row(page, name).getByTestId("tenant-status").textContent(), { timeout: 30_000 }).toBe("Active");
  await page.reload();
  await expect.poll(() => row(page, name).count(), { timeout: 60_000 }).toBe(1);
  expect(await row(page, name).textContent()).toContain(`ada-${size}@tandem.test`);
  expect(await row(page, name).textContent()).toContain("premium");
  expect(await page.evaluate(() => document.documentElement.getAttribute("data-mantine-color-scheme"))).toBe(colorScheme);
  await expectNoSidewaysScroll(page, width);
  await expectAccessible(page, `the tenants page, ${colorScheme}`);
  await shot(page, `${size}-1-tenants`);

  // Deactivate, then activate.
  await row(page, name).getByRole("button", { name: `Deactivate ${name}` }).click();
  await expect.poll(() => row(page, name).getByTestId("tenant-status").textContent(), { timeout: 30_000 }).toBe("Suspended");
  expect(await page.getByTestId("admin-note").textContent()).toContain("cannot sign in");
  await shot(page, `${size}-2-deactivated`);
  // By keyboard: the button takes the focus and Enter presses it.
  await row(page, name).getByRole("button", { name: `Activate ${name}` }).press("Enter");
  await expect.poll(() => row(page, name).getByTestId("tenant-status").textContent(), { timeout: 30_000 }).toBe("Active");

  // A second tenant, offboarded after the confirmation that names it.
  const leaving = `Leaving Ltd ${size}`;
  await page.getByLabel("Tenant name").fill(leaving);
  await page.getByLabel("Owner's email").fill(`leaving-${size}@tandem.test`);
  await page.getByRole("button", { name: "Register tenant" }).click();
  await expect.poll(() => row(page, leaving).getByTestId("tenant-status").textContent(), { timeout: 30_000 }).toBe("Active");
  // Escape cancels the confirmation; nothing happens.
  await row(page, leaving).getByRole("button", { name: `Offboard ${leaving}` }).click();
  const dialog = page.getByRole("dialog");
  await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(1);
  await page.keyboard.press("Escape");
  await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);
  expect(await row(page, leaving).getByTestId("tenant-status").textContent()).toBe("Active");
  await row(page, leaving).getByRole("button", { name: `Offboard ${leaving}` }).click();
  await expect.poll(() => dialog.textContent(), { timeout: 10_000 }).toContain(`Offboard ${leaving}?`);
  expect(await dialog.textContent()).toContain("Sign-in ends at once");
  expect(await dialog.textContent()).toContain("after 30 days");
  // Cancel has the focus: Enter alone never offboards.
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
  await expectNoSidewaysScroll(page, width);
  await dialogOpen(page);
  await expectAccessible(page, `the offboarding question, ${colorScheme}`);
  await page.screenshot({ path: path.join(ARTIFACTS, `admin-${size}-3-offboard-confirm.png`) });
  await dialog.getByRole("button", { name: `Offboard ${leaving}` }).click();
  await expect.poll(() => row(page, leaving).getByTestId("tenant-status").textContent(), { timeout: 30_000 }).toBe("Offboarding");
  // (Polled: the dialog fades out as it closes.)
  await expect.poll(() => dialog.isVisible(), { timeout: 5_000 }).toBe(false);

  // The tenant's own page: details, its lifecycle as a timeline, registration, audit entries.
  await row(page, name).getByRole("link", { name }).click();
  await expect.poll(() => page.getByTestId("tenant-name").textContent(), { timeout: 60_000 }).toBe(name);
  const timeline = page.getByTestId("transitions");
  await expect.poll(() => timeline.locator("li").count(), { timeout: 30_000 }).toBe(4);
  // Operators are named by their address (from the operators' list, read beside the tenant).
  await expect.poll(() => timeline.locator("li").first().textContent(), { timeout: 30_000 }).toMatch(/Suspended → Active.*activated · by ops@tandem\.test/);
  expect(await timeline.locator("li").last().textContent()).toMatch(/new → Provisioning.*onboarding request · by ops@tandem\.test/);
  // Registered through POST /tenants, not through a tenant registration.
  await expect.poll(() => page.getByTestId("no-registration").count(), { timeout: 30_000 }).toBe(1);
  await expect.poll(() => page.getByTestId("audit-entries").textContent(), { timeout: 30_000 }).toContain("tenant.transition");
  await expectNoSidewaysScroll(page, width);
  await expectAccessible(page, `a tenant's page, ${colorScheme}`);
  await shot(page, `${size}-4-tenant`);

  // A tenant that came through SBT's tenant registrations shows its registration and its fields.
  const registered = await page.evaluate(async (size) => {
    const csrf = decodeURIComponent(/(?:^|;\s*)tandem_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? "");
    const response = await fetch("/control-plane/tenant-registrations", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf, "idempotency-key": crypto.randomUUID() },
      body: JSON.stringify({ tenantData: { tenantName: `Registered Co ${size}`, email: `reg-${size}@tandem.test`, tier: "standard" }, tenantRegistrationData: { plan_code: "annual" } }),
    });
    return { status: response.status, body: (await response.json()) as { data: { tenantId: string } } };
  }, size);
  expect(registered.status).toBe(201);
  await page.goto(`${webUrl}/admin/tenants/${registered.body.data.tenantId}`, { timeout: 60_000 });
  await expect.poll(() => page.getByTestId("registrations").textContent(), { timeout: 60_000 }).toContain("plan_codeannual");
  await expect.poll(() => page.getByTestId("registrations").textContent(), { timeout: 30_000 }).toContain("created");
  await expectNoSidewaysScroll(page, width);
  await expectAccessible(page, `a registered tenant's page, ${colorScheme}`);
  await shot(page, `${size}-4b-registered-tenant`);

  // Operators and client credentials: a client's secret is shown once, with a copy button.
  await page.getByTestId("admin-nav").getByRole("link", { name: "Operators", exact: true }).click();
  await expect.poll(() => page.getByRole("heading", { name: "Client credentials" }).count(), { timeout: 60_000 }).toBe(1);
  const boxes = page.getByTestId("create-client").locator('input[name="scopes"]');
  expect(await boxes.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual([...CONTROL_PLANE_SCOPES]);
  await expect.poll(() => page.getByTestId("operators").textContent(), { timeout: 30_000 }).toContain(OPERATOR.email);
  // Another operator, mailed a link to set a password; then removed again, after the question.
  const second = `second-ops-${size}@tandem.test`;
  const since = mail.received.length;
  await page.getByLabel("Email of the new operator").fill(second);
  await page.getByRole("button", { name: "Add operator" }).click();
  await expect.poll(() => page.getByTestId("operators").textContent(), { timeout: 30_000 }).toContain(second);
  expect((await mail.waitFor(second, since, 20_000)).text).toContain("/reset-password?token=");
  await page.getByRole("button", { name: `Remove ${second} as operator` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Remove operator" }).click();
  await expect.poll(() => page.getByTestId("operators-note").textContent(), { timeout: 30_000 }).toBe(`${second} is no longer an operator.`);
  await expect.poll(() => page.getByTestId("operators").textContent(), { timeout: 30_000 }).not.toContain(second);
  const client = `onboarding script ${size}`;
  await page.getByLabel("Client name").fill(client);
  await page.getByLabel("tenant/tenant_read").check();
  await page.getByLabel("tenant/tenant_write").check();
  await page.getByRole("button", { name: "Create client" }).click();
  const secret = page.getByTestId("client-secret");
  await expect.poll(() => secret.textContent(), { timeout: 30_000 }).toMatch(/^[\w-]{40,}$/);
  expect(await page.getByTestId("secret-once").textContent()).toContain("it is not shown again");
  await expect.poll(() => page.getByTestId("clients").textContent(), { timeout: 30_000 }).toContain(client);
  await page.getByRole("button", { name: "Copy", exact: true }).click();
  await expect.poll(() => page.getByTestId("secret-once").textContent()).toContain("Copied.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await secret.textContent());
  // The client's id has its own copy button.
  await page.getByTestId("copy-client-id").click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(await page.getByTestId("client-id").textContent());
  await expectNoSidewaysScroll(page, width);
  await expectAccessible(page, `the operators page with a client's secret, ${colorScheme}`);
  await shot(page, `${size}-5-client-secret`);
  // The secret works at the token endpoint; after a reload it is gone from the page.
  const clientId = (await page.getByTestId("client-id").textContent())!;
  const token = await fetch(`${webUrl}/control-plane/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: (await secret.textContent())! }),
  });
  expect(token.status).toBe(200);
  await page.reload();
  await expect.poll(() => page.getByTestId("clients").textContent(), { timeout: 60_000 }).toContain(client);
  expect(await page.getByTestId("client-secret").count()).toBe(0);
  // Revoking asks first.
  await page.getByRole("button", { name: `Revoke ${client}` }).click();
  await expect.poll(() => page.getByRole("dialog").textContent(), { timeout: 10_000 }).toContain("stop working at once");
  await page.getByRole("dialog").getByRole("button", { name: "Revoke client" }).click();
  await expect.poll(() => page.getByTestId("clients-note").textContent(), { timeout: 30_000 }).toContain("is revoked");

  // The audit log, with its filters and export.
  await page.getByTestId("admin-nav").getByRole("link", { name: "Audit log" }).click();
  await expect.poll(() => page.getByRole("heading", { name: "Audit log" }).count(), { timeout: 60_000 }).toBe(1);
  await page.getByLabel("Action starts with").fill("tenant.");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await page.waitForURL(/\/admin\/audit\?action=tenant\./, { timeout: 30_000 });
  expect(await page.getByTestId("audit-export").getAttribute("href")).toBe("/control-plane/audit/export?action=tenant.");
  await expect.poll(() => page.getByTestId("audit-entries").textContent(), { timeout: 30_000 }).toContain("tenant.transition");
  // (Polled: the list before the filter may still be shown while the filtered one loads.)
  await expect.poll(() => page.getByTestId("audit-entries").textContent(), { timeout: 30_000 }).not.toContain("control_plane.request");
  // The export is the same filter's entries, as JSON lines.
  const exported = await page.evaluate(async (href) => {
    const response = await fetch(href);
    return { status: response.status, type: response.headers.get("content-type") ?? "", text: await response.text() };
  }, (await page.getByTestId("audit-export").getAttribute("href"))!);
  expect(exported.status).toBe(200);
  expect(exported.type).toContain("ndjson");
  const lines = exported.text.trim().split("\n").map((line) => JSON.parse(line) as { action: string });
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.every((line) => line.action.startsWith("tenant."))).toBe(true);
  await expectNoSidewaysScroll(page, width);
  await expectAccessible(page, `the audit log, ${colorScheme}`);
  await shot(page, `${size}-6-audit`);
  await context.close();
}

describe("the admin pages", () => {
  it("let an operator run tenants and client credentials at 1280 px (light)", async () => {
    await operatorJourney(1280, "light");
  }, 420_000);

  it("work at 375 px without the page scrolling sideways (dark)", async () => {
    await operatorJourney(375, "dark");
  }, 300_000);

  it("tell a member who is not an operator that only operators see them", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const page = await signIn(context, MEMBER, "/admin");
    await expect.poll(() => page.getByTestId("not-operator").textContent(), { timeout: 60_000 }).toBe("Only operators see this page.");
    expect(await page.getByTestId("admin-nav").count()).toBe(0);
    expect(await page.getByTestId("admin-link").count()).toBe(0);
    await expectAccessible(page, "the admin page for a member, light");
    await page.goto(`${webUrl}/admin/operators`, { timeout: 60_000 });
    await expect.poll(() => page.getByTestId("not-operator").count(), { timeout: 60_000 }).toBe(1);
    await shot(page, "375-7-not-operator");
    await context.close();
  }, 180_000);
});
