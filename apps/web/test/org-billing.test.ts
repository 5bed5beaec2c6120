import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "@tandem/api";
import { getConnection } from "@tandem/core/database";
import { signUp, verifyEmail } from "@tandem/core/identity";
import { createOrganisation } from "@tandem/core/tenants";
import { startMailCatcher, waitForPort, type MailCatcher } from "@tandem/local";
import getPort from "get-port";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

/**
 * An organisation's admin opens Billing from the organisation page, in Chromium at 1280 and 375 px,
 * on a stage without the STRIPE_* secrets: the "not set up" note, no buy buttons, the plan, a credit
 * balance of $0.00, the spend caps; and the notice after returning from Checkout.
 * Screenshots go to artifacts/org-billing-*.png.
 */
const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ARTIFACTS = path.resolve(WEB_DIR, "..", "..", "artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const DATABASE = `${inject("mongodbUri")}/web-org-billing`;
const ADMIN = { email: "billing-owner@tandem.test", password: "billing owner passphrase", name: "Billing Owner" };

let mail: MailCatcher;
let api: Awaited<ReturnType<typeof startServer>>;
let web: ChildProcess;
let webUrl: string;
let browser: Browser;
let orgId: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  mail = await startMailCatcher();
  const port = await getPort({ host: "127.0.0.1" });
  webUrl = `http://127.0.0.1:${port}`;
  const connection = await getConnection({ uri: DATABASE });
  await connection.dropDatabase();
  api = await startServer(
    {
      MONGODB_URI: DATABASE,
      SESSION_SECRET: "web-billing-session-secret-0123456789abcdef",
      JWT_SECRET: "web-billing-jwt-secret-0123456789abcdef0123",
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
  const { account, verifyToken } = await signUp(connection, ADMIN);
  await verifyEmail(connection, verifyToken);
  orgId = (await createOrganisation(connection, account.id, { name: "Ledger Ltd", slug: "ledger-ltd" })).id;

  web = spawn("pnpm", ["exec", "next", "dev", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: WEB_DIR,
    env: { ...process.env, TANDEM_API_URL: api.url, NODE_ENV: "development", NEXT_TELEMETRY_DISABLED: "1", NEXT_DIST_DIR: ".next-test-billing" },
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

describe("the organisation's billing page", () => {
  it("shows an admin the plan, credits and caps, and that billing is not set up, at 1280 and 375 px", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const org = `/orgs/${orgId}`;
    await page.goto(`${webUrl}/sign-in?next=${encodeURIComponent(org)}`, { timeout: 120_000 });
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${webUrl}${org}`, { timeout: 60_000 });

    // From the organisation page.
    await page.getByTestId("billing-link").click({ timeout: 90_000 });
    await page.waitForURL(`${webUrl}${org}/billing`, { timeout: 60_000 });
    await expect.poll(() => page.getByTestId("billing-off").textContent(), { timeout: 90_000 }).toContain("Billing is not set up on this stage");
    expect(await page.getByTestId("credits-balance").textContent()).toBe("$0.00");
    expect(await page.getByTestId("plan").textContent()).toContain("no subscription");
    expect(await page.getByRole("button", { name: "Manage billing" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Buy credits" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Choose" }).count()).toBe(0);
    await expect.poll(() => page.getByTestId("spend").textContent(), { timeout: 30_000 }).toContain("no cap");
    // The usage section: the total and the chart by day (recharts, drawn once loaded).
    await expect.poll(() => page.getByTestId("usage-total").textContent(), { timeout: 30_000 }).toBe("$0.00");
    await expect.poll(() => page.getByTestId("org-usage").locator("svg.recharts-surface").count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "org-billing-1280.png"), fullPage: true });

    // Back from Checkout, at 375 px, with nothing scrolling sideways.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${webUrl}${org}/billing?checkout=cancelled`, { timeout: 60_000 });
    await expect.poll(() => page.getByTestId("checkout-note").textContent(), { timeout: 60_000 }).toContain("cancelled");
    expect(await page.getByTestId("credits-balance").textContent()).toBe("$0.00");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: path.join(ARTIFACTS, "org-billing-375.png"), fullPage: true });
    await context.close();
  }, 300_000);
});
