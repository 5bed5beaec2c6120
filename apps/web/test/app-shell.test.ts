import { startServer } from "@tandem/api";
import { getConnection } from "@tandem/core/database";
import { signUp, verifyEmail } from "@tandem/core/identity";
import { createOrganisation } from "@tandem/core/tenants";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, expectAccessible, launchChromium, reservePort, shot as shotAs, signIn as signInAs, startWebApp, type WebApp } from "./browser.js";

/**
 * The app shell in Chromium (Mantine's AppShell): at 1280 px the sidebar lists the organisation's
 * notebooks newest first, its search filters them, New notebook opens one, and the organisation
 * switcher really switches (the list follows, and the choice is remembered on the account). The
 * theme: a fresh user gets the operator's DEFAULT_THEME (dark here, in a browser that prefers
 * light); light and dark chosen in the user menu and on /account survive a reload and another
 * browser, because the account keeps them. At 375 px the sidebar is a drawer behind the burger
 * and nothing scrolls sideways. Every page visited is scanned with axe-core: no serious or
 * critical violations. Screenshots go to artifacts/app-shell-*.png.
 */
const DATABASE = `${inject("mongodbUri")}/web-app-shell`;
const USER = { email: "shell-user@tandem.test", password: "shell user passphrase", name: "Grace Hopper" };

let api: Awaited<ReturnType<typeof startServer>>;
let web: WebApp;
let webUrl: string;
let browser: Browser;
let orbit: string;
let nebula: string;

beforeAll(async () => {
  const port = await reservePort();
  webUrl = `http://127.0.0.1:${port}`;
  const connection = await getConnection({ uri: DATABASE });
  await connection.dropDatabase();
  api = await startServer(
    {
      MONGODB_URI: DATABASE,
      SESSION_SECRET: "web-shell-session-secret-0123456789abcdef",
      JWT_SECRET: "web-shell-jwt-secret-0123456789abcdef0123",
      APP_URL: webUrl,
      DEFAULT_THEME: "dark",
      LOG_LEVEL: "silent",
    },
    0,
  );
  const { account, verifyToken } = await signUp(connection, USER);
  await verifyEmail(connection, verifyToken);
  orbit = (await createOrganisation(connection, account.id, { name: "Orbit Labs", slug: "orbit-labs" })).id;
  nebula = (await createOrganisation(connection, account.id, { name: "Nebula Corp", slug: "nebula-corp" })).id;
  web = await startWebApp({ apiUrl: api.url, name: "shell", port });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  web?.close();
  await api?.close();
});

const shot = (page: Page, name: string) => shotAs(page, "app-shell", name);

/** Signs in through the page, scanning the sign-in page on the way. */
function signIn(context: BrowserContext, next: string): Promise<Page> {
  return signInAs(context, webUrl, USER, next, (page) => expectAccessible(page, "the sign-in page"));
}

const scheme = (page: Page) => page.evaluate(() => document.documentElement.getAttribute("data-mantine-color-scheme"));
const sidebarTitles = (page: Page) => page.getByTestId("sidebar-notebook").allTextContents();
const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe("the app shell", () => {
  it("at 1280 px: the sidebar's notebooks, search, new notebook, and the organisation switcher", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
    const page = await signIn(context, `/orgs/${orbit}/notebooks`);
    // Notebooks of both organisations, made the way the page makes them; the newest activity is last here.
    await call(page, "POST", `/api/orgs/${orbit}/notebooks`, { title: "Orbit plans" });
    await call(page, "POST", `/api/orgs/${orbit}/notebooks`, { title: "Budget review" });
    await call(page, "POST", `/api/orgs/${nebula}/notebooks`, { title: "Nebula notes" });
    await page.reload();
    await expect.poll(() => sidebarTitles(page), { timeout: 60_000 }).toEqual(["Budget review", "Orbit plans"]);
    expect(await page.getByTestId("org-switcher").inputValue()).toBe(orbit);
    await expectAccessible(page, "the notebooks page");
    await shot(page, "1280-notebooks");

    // The search box filters the list as one types.
    await page.getByLabel("Filter notebooks").fill("orbit");
    await expect.poll(() => sidebarTitles(page)).toEqual(["Orbit plans"]);
    await page.getByLabel("Filter notebooks").fill("nothing like this");
    await expect.poll(() => page.getByTestId("sidebar-empty").textContent()).toBe("No notebook matches.");
    await page.getByLabel("Filter notebooks").fill("");
    await expect.poll(() => sidebarTitles(page)).toEqual(["Budget review", "Orbit plans"]);

    // New notebook opens it, at the top of the list, marked as the current page.
    await page.getByTestId("sidebar-new-notebook").click();
    await page.waitForURL(new RegExp(`/orgs/${orbit}/notebooks/[0-9a-f]{24}$`), { timeout: 60_000 });
    await expect.poll(() => page.getByTestId("notebook-title").textContent(), { timeout: 60_000 }).toBe("Untitled notebook");
    await expect.poll(() => sidebarTitles(page)).toEqual(["Untitled notebook", "Budget review", "Orbit plans"]);
    expect(await page.locator('[data-testid="sidebar-notebook"][aria-current="page"]').textContent()).toBe("Untitled notebook");
    // The chat fills the page: the composer sits at the bottom of the window, the page itself does not scroll.
    await page.getByTestId("model-picker").waitFor({ timeout: 60_000 });
    const composer = await page.locator("form.composer").boundingBox();
    expect(composer!.y + composer!.height).toBeGreaterThan(900 - 40);
    expect(composer!.y + composer!.height).toBeLessThanOrEqual(900);
    expect(await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight)).toBe(true);
    await expectAccessible(page, "the notebook page");
    await shot(page, "1280-notebook");

    // Switching organisation opens the other one's workspace, with its notebooks, and is remembered.
    await page.getByTestId("org-switcher").selectOption(nebula);
    await page.waitForURL(`${webUrl}/orgs/${nebula}/notebooks`, { timeout: 60_000 });
    await expect.poll(() => sidebarTitles(page), { timeout: 30_000 }).toEqual(["Nebula notes"]);
    expect(await page.getByTestId("org-switcher").inputValue()).toBe(nebula);
    await expect.poll(async () => (await call<{ account: { currentOrganisationId: string } }>(page, "GET", "/api/me")).account.currentOrganisationId).toBe(nebula);
    await shot(page, "1280-switched");
    await page.getByTestId("org-switcher").selectOption(orbit);
    await page.waitForURL(`${webUrl}/orgs/${orbit}/notebooks`, { timeout: 60_000 });
    await expect.poll(() => sidebarTitles(page), { timeout: 30_000 }).toContain("Orbit plans");

    // The organisation page and the home page in the shell.
    await page.getByTestId("nav-org").click();
    await page.waitForURL(`${webUrl}/orgs/${orbit}`, { timeout: 60_000 });
    await expect.poll(() => page.getByTestId("org-name").textContent(), { timeout: 60_000 }).toBe("Orbit Labs");
    await expectAccessible(page, "the organisation page");
    await shot(page, "1280-org");
    await page.goto(`${webUrl}/`, { timeout: 60_000 });
    await expect.poll(() => page.getByRole("heading", { name: "Hello Grace Hopper" }).count(), { timeout: 60_000 }).toBe(1);
    await expectAccessible(page, "the home page");
    await context.close();
  }, 400_000);

  it("themes: DEFAULT_THEME for a fresh user, then light and dark kept in the browser and on the account", async () => {
    // The browser prefers light; the operator's default is dark.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
    const page = await signIn(context, "/account");
    await expect.poll(() => scheme(page), { timeout: 30_000 }).toBe("dark");
    await page.getByTestId("theme-switch").waitFor({ timeout: 60_000 });
    await expectAccessible(page, "the account page, dark");
    await shot(page, "1280-account-dark");

    // Light from the user menu: kept across a reload, and on the account.
    await page.getByTestId("user-menu").click();
    await page.getByRole("menuitem", { name: "Light theme" }).click();
    await expect.poll(() => scheme(page)).toBe("light");
    await expect.poll(async () => (await call<{ account: { theme: string | null } }>(page, "GET", "/api/me")).account.theme).toBe("light");
    await page.reload();
    await page.getByTestId("theme-switch").waitFor({ timeout: 60_000 });
    expect(await scheme(page)).toBe("light");
    await expectAccessible(page, "the account page, light");
    await shot(page, "1280-account-light");

    // Another browser (nothing in its localStorage) gets the account's choice, not the default.
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "dark" });
    const elsewhere = await signIn(other, "/account");
    await expect.poll(() => scheme(elsewhere), { timeout: 30_000 }).toBe("light");
    // Dark from the switch on /account: kept across a reload and on the account.
    await elsewhere.getByTestId("theme-switch").getByText("Dark", { exact: true }).click();
    await expect.poll(() => scheme(elsewhere)).toBe("dark");
    await expect.poll(async () => (await call<{ account: { theme: string | null } }>(elsewhere, "GET", "/api/me")).account.theme).toBe("dark");
    await elsewhere.reload();
    await elsewhere.getByTestId("theme-switch").waitFor({ timeout: 60_000 });
    expect(await scheme(elsewhere)).toBe("dark");
    // The notebook page in dark.
    await elsewhere.goto(`${webUrl}/orgs/${orbit}/notebooks`, { timeout: 60_000 });
    await expect.poll(() => sidebarTitles(elsewhere), { timeout: 60_000 }).toContain("Orbit plans");
    await elsewhere.getByTestId("sidebar-notebook").filter({ hasText: "Orbit plans" }).click();
    await expect.poll(() => elsewhere.getByTestId("notebook-title").textContent(), { timeout: 60_000 }).toBe("Orbit plans");
    await elsewhere.getByTestId("model-picker").waitFor({ timeout: 60_000 });
    await expectAccessible(elsewhere, "the notebook page, dark");
    await shot(elsewhere, "1280-notebook-dark");
    await other.close();
    await context.close();
  }, 400_000);

  it("at 375 px: the sidebar is a drawer behind the burger, and nothing scrolls sideways", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 }, colorScheme: "light" });
    const page = await signIn(context, `/orgs/${orbit}/notebooks`);
    const drawer = page.getByRole("navigation", { name: "Workspace" });
    await page.getByTestId("burger").waitFor({ timeout: 60_000 });
    expect(await drawer.isVisible()).toBe(false);
    expect(await noSidewaysScroll(page)).toBe(true);
    await shot(page, "375-closed");

    await page.getByTestId("burger").click();
    await expect.poll(() => drawer.isVisible()).toBe(true);
    await expect.poll(() => sidebarTitles(page), { timeout: 60_000 }).toContain("Orbit plans");
    expect(await noSidewaysScroll(page)).toBe(true);
    await expectAccessible(page, "the open drawer at 375 px");
    await shot(page, "375-open");
    // The burger closes it again.
    await page.getByTestId("burger").click();
    await expect.poll(() => drawer.isVisible()).toBe(false);

    // Choosing a notebook in the drawer opens it and closes the drawer.
    await page.getByTestId("burger").click();
    await expect.poll(() => drawer.isVisible()).toBe(true);
    await page.getByTestId("sidebar-notebook").filter({ hasText: "Orbit plans" }).click();
    await expect.poll(() => page.getByTestId("notebook-title").textContent(), { timeout: 60_000 }).toBe("Orbit plans");
    await expect.poll(() => drawer.isVisible()).toBe(false);
    await page.getByTestId("model-picker").waitFor({ timeout: 60_000 });
    const composer = await page.locator("form.composer").boundingBox();
    expect(composer!.y + composer!.height).toBeLessThanOrEqual(800);
    expect(await noSidewaysScroll(page)).toBe(true);
    await expectAccessible(page, "the notebook page at 375 px");
    await shot(page, "375-notebook");

    for (const route of [`/orgs/${orbit}`, "/account", "/"]) {
      await page.goto(`${webUrl}${route}`, { timeout: 60_000 });
      await page.waitForLoadState("networkidle");
      expect(await noSidewaysScroll(page), route).toBe(true);
    }
    await shot(page, "375-home");
    await context.close();
  }, 400_000);
});
