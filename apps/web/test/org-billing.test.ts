import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "@tandem/api";
import { getConnection } from "@tandem/core/database";
import { signUp, verifyEmail } from "@tandem/core/identity";
import { createOrganisation } from "@tandem/core/tenants";
import { createServer, request, type Server } from "node:http";
import { startMailCatcher, startStripeMock, waitForPort, type MailCatcher, type StripeServer } from "@tandem/local";
import getPort from "get-port";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

/**
 * An organisation's admin opens Billing from the organisation page, in Chromium at 1280 and 375 px,
 * on a stage without the STRIPE_* secrets: the "not set up" note, no buy buttons, the plan, a credit
 * balance of $0.00, the spend caps; and the notice after returning from Checkout. Then the admin
 * changes the caps in the form. Then the same page on a stage with billing on (a second API with
 * the STRIPE_* secrets, against stripe-mock, behind the same address): Manage billing and Buy
 * credits lead to the URLs Stripe gave (caught in the browser, since Stripe's pages are not here),
 * and an amount under $10 is refused before leaving.
 * Screenshots go to artifacts/org-billing-*.png.
 */
const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ARTIFACTS = path.resolve(WEB_DIR, "..", "..", "artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const DATABASE = `${inject("mongodbUri")}/web-org-billing`;
const ADMIN = { email: "billing-owner@tandem.test", password: "billing owner passphrase", name: "Billing Owner" };

let mail: MailCatcher;
let api: Awaited<ReturnType<typeof startServer>>;
let apiOn: Awaited<ReturnType<typeof startServer>>;
let stripeMock: StripeServer;
// The web app's API address: a pass-through to the API without billing, or to the one with it.
let proxy: Server;
let target = "";
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
  stripeMock = await startStripeMock();
  const env = {
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
  };
  api = await startServer(env, 0);
  apiOn = await startServer({ ...env, STRIPE_SECRET_KEY: "sk_test_tandem", STRIPE_PUBLISHABLE_KEY: "pk_test_tandem", STRIPE_WEBHOOK_SECRET: "whsec_web_billing", STRIPE_API_URL: stripeMock.url }, 0);
  target = api.url;
  proxy = createServer((req, res) => {
    const to = new URL(req.url ?? "/", target);
    const onward = request(to, { method: req.method, headers: { ...req.headers, host: to.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    onward.on("error", () => res.writeHead(502).end());
    req.pipe(onward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const proxyPort = (proxy.address() as { port: number }).port;
  const { account, verifyToken } = await signUp(connection, ADMIN);
  await verifyEmail(connection, verifyToken);
  orgId = (await createOrganisation(connection, account.id, { name: "Ledger Ltd", slug: "ledger-ltd" })).id;

  web = spawn("pnpm", ["exec", "next", "dev", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: WEB_DIR,
    env: { ...process.env, TANDEM_API_URL: `http://127.0.0.1:${proxyPort}`, NODE_ENV: "development", NEXT_TELEMETRY_DISABLED: "1", NEXT_DIST_DIR: ".next-test-billing" },
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
  await apiOn?.close();
  proxy?.close();
  await stripeMock?.stop();
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

  it("lets an admin change the spend caps, and with billing on leads to Stripe's portal and Checkout", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const billing = `/orgs/${orgId}/billing`;
    await page.goto(`${webUrl}/sign-in?next=${encodeURIComponent(billing)}`, { timeout: 120_000 });
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${webUrl}${billing}`, { timeout: 60_000 });

    // The caps: a word is refused with the field named; numbers are saved and shown.
    const form = page.getByTestId("caps-form");
    await form.getByLabel("Organisation, per day ($)").fill("-5", { timeout: 90_000 });
    await form.getByRole("button", { name: "Save caps" }).click();
    await expect.poll(() => form.locator("#cap-org-day-issue").textContent(), { timeout: 30_000 }).toContain("0 or more");
    await form.getByLabel("Organisation, per day ($)").fill("25");
    await form.getByLabel("Each member, per month ($)").fill("40.5");
    await form.getByRole("button", { name: "Save caps" }).click();
    await expect.poll(() => page.getByTestId("caps-saved").count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId("spend").textContent()).toContain("of $25.00");
    await page.reload();
    await expect.poll(() => page.getByTestId("caps-form").getByLabel("Each member, per month ($)").inputValue(), { timeout: 60_000 }).toBe("40.5");
    expect(await page.getByTestId("caps-form").getByLabel("Each member, per day ($)").inputValue()).toBe("");
    // Cleared again: no caps.
    await page.getByTestId("caps-form").getByLabel("Organisation, per day ($)").fill("");
    await page.getByTestId("caps-form").getByLabel("Each member, per month ($)").fill("");
    await page.getByTestId("caps-form").getByRole("button", { name: "Save caps" }).click();
    await expect.poll(() => page.getByTestId("caps-saved").count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId("spend").textContent()).not.toContain("of $25.00");

    // Billing on: the same page now offers the portal and credits.
    target = apiOn.url;
    const leftFor: string[] = [];
    // (Every https address is Stripe's here: the app itself is served over http on loopback.)
    await page.route(/^https:\/\//, async (route) => {
      leftFor.push(route.request().url());
      await route.fulfill({ status: 200, contentType: "text/html", body: "<title>Stripe</title><p>Stripe's page would be here.</p>" });
    });
    await page.reload();
    await expect.poll(() => page.getByRole("button", { name: "Manage billing" }).count(), { timeout: 60_000 }).toBe(1);
    expect(await page.getByTestId("billing-off").count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "org-billing-on-1280.png"), fullPage: true });
    await page.getByRole("button", { name: "Manage billing" }).click();
    await expect.poll(() => leftFor.length, { timeout: 30_000 }).toBe(1);
    // The portal session's URL as stripe-mock gives it (a Stripe-hosted /session/ address).
    expect(leftFor[0]).toMatch(/^https:\/\/[^/]+\/session\//);
    // The page arrives at Stripe's (stand-in) page before the test goes back.
    await page.waitForURL(/^https:\/\/[^/]+\/session\//, { timeout: 30_000 });

    await page.goto(`${webUrl}${billing}`, { timeout: 60_000 });
    await page.getByLabel("Amount in dollars").fill("5", { timeout: 60_000 });
    await page.getByRole("button", { name: "Buy credits" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent(), { timeout: 30_000 }).toMatch(/10/);
    await page.getByLabel("Amount in dollars").fill("25");
    await page.getByRole("button", { name: "Buy credits" }).click();
    await expect.poll(() => leftFor.length, { timeout: 30_000 }).toBe(2);
    expect(leftFor[1]).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    target = api.url;
    await context.close();
  }, 300_000);
});
