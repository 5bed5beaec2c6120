import { startServer } from "@tandem/api";
import { getConnection } from "@tandem/core/database";
import { signUp, verifyEmail } from "@tandem/core/identity";
import { acceptInvite, createInvite, createOrganisation, tenantModel } from "@tandem/core/tenants";
import type { Connection } from "mongoose";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, expectAccessible, launchChromium, shot, signIn, startWebApp, type WebApp } from "./browser.js";

/**
 * The organisation and account pages in Chromium (1280 px, light and dark, and one pass at 375 px):
 * every destructive action asks first (cancel leaves the member, role, invitation or key as it
 * was; confirming changes it), a new API key's copy button puts it in the clipboard, groups are
 * created, filled, renamed, emptied and deleted by an owner and seen read-only by a member, an
 * owner deletes an organisation by typing its handle (a wrong one is refused in the API's words),
 * and a person deletes their account: refused, with the organisation named, while they are its last
 * owner with other members; once someone else owns it, deleted, signed out, and unable to sign in.
 * Every page is scanned with axe-core. Screenshots go to artifacts/org-account-*.png.
 */
const DATABASE = `${inject("mongodbUri")}/web-org-account`;
const PREFIX = "org-account";
const OLIVE = { email: "olive-owner@tandem.test", password: "olive owner passphrase", name: "Olive Owner" };
const MAX = { email: "max-member@tandem.test", password: "max member passphrase", name: "Max Member" };
const NINA = { email: "nina-member@tandem.test", password: "nina member passphrase", name: "Nina Newcomer" };
const DORA = { email: "dora-departing@tandem.test", password: "dora departing passphrase", name: "Dora Departing" };

let api: Awaited<ReturnType<typeof startServer>>;
let web: WebApp;
let browser: Browser;
let quill: string;
let mill: string;
let shop: string;
let drafts: string;
let ids: Record<"olive" | "max" | "nina" | "dora", string>;
let connection: Connection;

async function person(connection: Connection, who: { email: string; password: string; name: string }): Promise<string> {
  const { account, verifyToken } = await signUp(connection, who);
  await verifyEmail(connection, verifyToken);
  return account.id;
}
async function join(connection: Connection, orgId: string, ownerId: string, userId: string, email: string) {
  const { token } = await createInvite(connection, orgId, { userId: ownerId, role: "owner" }, { email, role: "member" });
  await acceptInvite(connection, token, userId);
}

beforeAll(async () => {
  connection = await getConnection({ uri: DATABASE });
  await connection.dropDatabase();
  api = await startServer(
    {
      MONGODB_URI: DATABASE,
      SESSION_SECRET: "web-org-account-session-secret-0123456789",
      JWT_SECRET: "web-org-account-jwt-secret-0123456789abcdef",
      APP_URL: "http://127.0.0.1",
      LOG_LEVEL: "silent",
    },
    0,
  );
  ids = { olive: await person(connection, OLIVE), max: await person(connection, MAX), nina: await person(connection, NINA), dora: await person(connection, DORA) };
  // Quill Co: Olive owns it, with Max and Nina. Paper Mill: Olive owns it, with Max; she deletes it.
  // Dora Shop: Dora owns it, with Max; Dora Drafts: Dora alone, it goes with her account.
  quill = (await createOrganisation(connection, ids.olive, { name: "Quill Co", slug: "quill-co" })).id;
  await join(connection, quill, ids.olive, ids.max, MAX.email);
  await join(connection, quill, ids.olive, ids.nina, NINA.email);
  mill = (await createOrganisation(connection, ids.olive, { name: "Paper Mill", slug: "paper-mill" })).id;
  await join(connection, mill, ids.olive, ids.max, MAX.email);
  shop = (await createOrganisation(connection, ids.dora, { name: "Dora Shop", slug: "dora-shop" })).id;
  await join(connection, shop, ids.dora, ids.max, MAX.email);
  drafts = (await createOrganisation(connection, ids.dora, { name: "Dora Drafts", slug: "dora-drafts" })).id;
  web = await startWebApp({ apiUrl: api.url, name: "org-account" });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  web?.close();
  await api?.close();
});

type Member = { userId: string; name: string; role: string };
const scheme = (page: Page) => page.evaluate(() => document.documentElement.getAttribute("data-mantine-color-scheme"));
const members = async (page: Page, orgId: string) => (await call<{ members: Member[] }>(page, "GET", `/api/orgs/${orgId}/members`)).members;
const memberList = (page: Page) => page.getByTestId("members").textContent();
const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const context = (width: number, colorScheme: "light" | "dark"): Promise<BrowserContext> =>
  browser.newContext({ viewport: { width, height: 900 }, colorScheme, permissions: ["clipboard-read", "clipboard-write"] });

/** Answers the open confirmation dialog after checking what it says; waits for it to close. */
async function answer(page: Page, says: string, confirm: boolean) {
  const dialog = page.getByRole("dialog");
  await expect.poll(() => dialog.textContent(), { timeout: 15_000 }).toContain(says);
  await page.getByTestId(confirm ? "confirm-action" : "confirm-cancel").click();
  await expect.poll(() => dialog.count(), { timeout: 15_000 }).toBe(0);
}

describe("the organisation and account pages", () => {
  it("asks before removing a member, demoting, revoking an invitation or a key; copies a new key", async () => {
    const ctx = await context(1280, "light");
    const page = await signIn(ctx, web.url, OLIVE, `/orgs/${quill}`);
    await expect.poll(() => memberList(page), { timeout: 60_000 }).toContain(NINA.name);
    expect(await scheme(page)).toBe("light");
    await shot(page, PREFIX, "1280-org-light");

    // Remove Nina: cancelled, she stays; confirmed, she is gone (on the page and in the API).
    await page.getByRole("button", { name: `Remove ${NINA.name}` }).click();
    await expect.poll(() => page.getByRole("dialog").textContent(), { timeout: 15_000 }).toContain("loses access to Quill Co at once");
    await shot(page, PREFIX, "1280-confirm-remove");
    await answer(page, `${NINA.name} (${NINA.email})`, false);
    expect(await memberList(page)).toContain(NINA.name);
    expect((await members(page, quill)).map((m) => m.name)).toContain(NINA.name);
    await page.getByRole("button", { name: `Remove ${NINA.name}` }).click();
    await answer(page, "loses access to Quill Co", true);
    await expect.poll(() => memberList(page), { timeout: 15_000 }).not.toContain(NINA.name);
    expect((await members(page, quill)).map((m) => m.name)).not.toContain(NINA.name);
    expect(await page.getByTestId("org-note").textContent()).toBe(`${NINA.name} was removed.`);

    // Max up to admin: no question. Back down to member: asked; cancelled, still admin; confirmed, member.
    const role = page.getByLabel(`Role of ${MAX.name}`);
    await role.selectOption("admin");
    await expect.poll(async () => (await members(page, quill)).find((m) => m.userId === ids.max)?.role, { timeout: 15_000 }).toBe("admin");
    await expect.poll(() => role.inputValue()).toBe("admin");
    expect(await page.getByRole("dialog").count()).toBe(0);
    await role.selectOption("member");
    await answer(page, "becomes a member", false);
    expect(await role.inputValue()).toBe("admin");
    expect((await members(page, quill)).find((m) => m.userId === ids.max)?.role).toBe("admin");
    await role.selectOption("member");
    await answer(page, "becomes a member", true);
    await expect.poll(async () => (await members(page, quill)).find((m) => m.userId === ids.max)?.role, { timeout: 15_000 }).toBe("member");
    await expect.poll(() => role.inputValue()).toBe("member");

    // An invitation: revoke cancelled, it stays; confirmed, it goes.
    await page.getByLabel("Email to invite").fill("ivy-invitee@tandem.test");
    await page.getByRole("button", { name: "Send invitation" }).click();
    await expect.poll(() => page.getByTestId("invites").textContent(), { timeout: 30_000 }).toContain("ivy-invitee@tandem.test");
    await page.getByRole("button", { name: "Revoke the invitation to ivy-invitee@tandem.test" }).click();
    await answer(page, "stops working at once", false);
    expect(await page.getByTestId("invites").textContent()).toContain("ivy-invitee@tandem.test");
    expect((await call<{ invites: Array<{ email: string }> }>(page, "GET", `/api/orgs/${quill}/invites`)).invites.map((i) => i.email)).toEqual(["ivy-invitee@tandem.test"]);
    await page.getByRole("button", { name: "Revoke the invitation to ivy-invitee@tandem.test" }).click();
    await answer(page, "stops working at once", true);
    await expect.poll(() => page.getByTestId("invites").textContent(), { timeout: 15_000 }).not.toContain("ivy-invitee@tandem.test");
    expect((await call<{ invites: unknown[] }>(page, "GET", `/api/orgs/${quill}/invites`)).invites).toEqual([]);

    // A new API key: shown once, and its copy button puts exactly it in the clipboard.
    await page.getByLabel("Key name").fill("nightly export");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect.poll(() => page.getByTestId("api-key-value").count(), { timeout: 30_000 }).toBe(1);
    const secret = (await page.getByTestId("api-key-value").textContent()) ?? "";
    expect(secret.length).toBeGreaterThan(20);
    await page.evaluate(() => navigator.clipboard.writeText("nothing yet"));
    await page.getByRole("button", { name: "Copy the API key" }).click();
    await expect.poll(() => page.getByTestId("copy-api-key").getAttribute("aria-label")).toBe("Copied the API key");
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    // The key in the clipboard really is the key: the API answers it.
    const withKey = await page.evaluate(async ({ key, url }) => (await fetch(url, { headers: { authorization: `Bearer ${key}` } })).status, { key: secret, url: `/api/orgs/${quill}` });
    expect(withKey).toBe(200);
    // The organisation's id has its own copy button.
    await page.getByTestId("copy-org-id").click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(quill);
    await shot(page, PREFIX, "1280-new-key");

    // Revoke the key: cancelled, it stays and works; confirmed, it is gone and refused.
    const keys = async () => (await call<{ apiKeys: Array<{ name: string }> }>(page, "GET", `/api/orgs/${quill}/api-keys`)).apiKeys.map((k) => k.name);
    await page.getByRole("button", { name: "Revoke the key nightly export" }).click();
    await answer(page, "are refused from now on", false);
    expect(await page.getByTestId("api-keys").textContent()).toContain("nightly export");
    expect(await keys()).toEqual(["nightly export"]);
    await page.getByRole("button", { name: "Revoke the key nightly export" }).click();
    await answer(page, "are refused from now on", true);
    await expect.poll(() => page.getByTestId("api-keys").textContent(), { timeout: 15_000 }).not.toContain("nightly export");
    expect(await keys()).toEqual([]);
    const refused = await page.evaluate(async ({ key, url }) => (await fetch(url, { headers: { authorization: `Bearer ${key}` } })).status, { key: secret, url: `/api/orgs/${quill}` });
    expect(refused).toBe(401);
    await expectAccessible(page, "the organisation page, light");
    await ctx.close();

    // Dark: the same page, with the danger zone; axe again.
    const dark = await context(1280, "dark");
    const darkPage = await signIn(dark, web.url, OLIVE, `/orgs/${quill}`);
    await expect.poll(() => darkPage.getByTestId("deletion-preview").textContent(), { timeout: 60_000 }).toContain("2 members");
    expect(await scheme(darkPage)).toBe("dark");
    await expectAccessible(darkPage, "the organisation page, dark");
    await shot(darkPage, PREFIX, "1280-org-dark");
    await dark.close();
  }, 400_000);

  it("groups: an owner creates, fills, renames, empties and deletes one; a member sees them read-only", async () => {
    const ctx = await context(1280, "light");
    const page = await signIn(ctx, web.url, OLIVE, `/orgs/${quill}`);
    await page.getByTestId("groups-link").click({ timeout: 60_000 });
    await page.waitForURL(`${web.url}/orgs/${quill}/groups`, { timeout: 60_000 });
    await expect.poll(() => page.getByTestId("no-groups").count(), { timeout: 60_000 }).toBe(1);

    await page.getByLabel("Group name").fill("Research");
    await page.getByRole("button", { name: "Create group" }).click();
    const card = page.getByTestId("group");
    await expect.poll(() => card.getByTestId("group-name").allTextContents(), { timeout: 30_000 }).toEqual(["Research"]);

    // Add Max with the member picker.
    await card.getByLabel("Add a member to Research").click();
    await page.getByRole("option", { name: `${MAX.name} (${MAX.email})` }).click();
    await card.getByRole("button", { name: "Add", exact: true }).click();
    await expect.poll(() => card.getByTestId("group-members").textContent(), { timeout: 15_000 }).toContain(MAX.name);
    const groups = async () => (await call<{ groups: Array<{ id: string; name: string; memberIds: string[] }> }>(page, "GET", `/api/orgs/${quill}/groups`)).groups;
    expect((await groups()).map((g) => ({ name: g.name, memberIds: g.memberIds }))).toEqual([{ name: "Research", memberIds: [ids.max] }]);

    // Rename.
    await card.getByRole("button", { name: "Rename Research" }).click();
    await card.getByLabel("New name for Research").fill("Research team");
    await card.getByRole("button", { name: "Save name" }).click();
    await expect.poll(() => card.getByTestId("group-name").allTextContents(), { timeout: 15_000 }).toEqual(["Research team"]);
    expect((await groups()).map((g) => g.name)).toEqual(["Research team"]);
    await expectAccessible(page, "the groups page of an owner, light");
    await shot(page, PREFIX, "1280-groups-owner");

    // Max, a member, sees the group and that he is in it, and nothing to change.
    const maxCtx = await context(1280, "dark");
    const maxPage = await signIn(maxCtx, web.url, MAX, `/orgs/${quill}/groups`);
    await expect.poll(() => maxPage.getByTestId("group-name").allTextContents(), { timeout: 60_000 }).toEqual(["Research team"]);
    expect(await maxPage.getByTestId("groups-read-only").count()).toBe(1);
    expect(await maxPage.getByTestId("group").textContent()).toContain("You are in it");
    expect(await maxPage.getByTestId("group-members").textContent()).toContain(MAX.name);
    const maxMain = maxPage.locator("main");
    expect(await maxMain.getByRole("button", { name: "Create group" }).count()).toBe(0);
    expect(await maxMain.getByRole("button", { name: /Rename|Delete|Remove|Add/ }).count()).toBe(0);
    expect(await maxMain.getByRole("textbox").count()).toBe(0);
    expect(await maxMain.getByRole("combobox").count()).toBe(0);
    expect(await scheme(maxPage)).toBe("dark");
    await expectAccessible(maxPage, "the groups page of a member, dark");
    await shot(maxPage, PREFIX, "1280-groups-member-dark");
    // A member has no danger zone, no invitations, no role pickers on the organisation page.
    await maxPage.goto(`${web.url}/orgs/${quill}`, { timeout: 60_000 });
    await expect.poll(() => memberList(maxPage), { timeout: 60_000 }).toContain(OLIVE.name);
    expect(await maxPage.getByTestId("danger-zone").count()).toBe(0);
    expect(await maxPage.getByTestId("invites").count()).toBe(0);
    expect(await maxPage.getByRole("combobox", { name: /Role of/ }).count()).toBe(0);
    await maxCtx.close();

    // Remove Max from the group: asked first.
    await card.getByRole("button", { name: `Remove ${MAX.name} from Research team` }).click();
    await answer(page, "stays in the organisation", false);
    expect((await groups())[0]!.memberIds).toEqual([ids.max]);
    await card.getByRole("button", { name: `Remove ${MAX.name} from Research team` }).click();
    await answer(page, "stays in the organisation", true);
    await expect.poll(async () => (await groups())[0]?.memberIds, { timeout: 15_000 }).toEqual([]);
    await expect.poll(() => card.getByTestId("group-members").count()).toBe(0);

    // Delete the group: cancelled, it stays; confirmed, it is gone.
    await card.getByRole("button", { name: "Delete the group Research team" }).click();
    await answer(page, "This cannot be undone", false);
    expect((await groups()).map((g) => g.name)).toEqual(["Research team"]);
    await page.getByRole("button", { name: "Delete the group Research team" }).click();
    await answer(page, "rules that name it are dropped", true);
    await expect.poll(() => page.getByTestId("no-groups").count(), { timeout: 15_000 }).toBe(1);
    expect(await groups()).toEqual([]);
    await ctx.close();
  }, 400_000);

  it("an owner deletes an organisation by typing its handle; a wrong one is refused", async () => {
    const ctx = await context(1280, "dark");
    const page = await signIn(ctx, web.url, OLIVE, `/orgs/${mill}`);
    const zone = page.getByTestId("danger-zone");
    await expect.poll(() => zone.getByTestId("deletion-preview").textContent(), { timeout: 60_000 }).toContain("2 members");
    const preview = await zone.getByTestId("deletion-preview").textContent();
    for (const what of ["0 notebooks", "0 knowledge files", "0 generated images", "removed for good"]) expect(preview).toContain(what);

    await zone.getByLabel("Type the organisation's handle, paper-mill, to confirm").fill("paper");
    await zone.getByRole("button", { name: "Delete organisation" }).click();
    await expect.poll(() => zone.getByTestId("form-error").textContent(), { timeout: 15_000 }).toContain("Type the organisation's handle, paper-mill, to confirm.");
    expect(await zone.locator("#delete-org-confirm-issue").textContent()).toContain("does not match the handle");
    const orgIds = async (p: Page) => (await call<{ organisations: Array<{ id: string }> }>(p, "GET", "/api/orgs")).organisations.map((o) => o.id);
    expect(await orgIds(page)).toContain(mill);
    expect(await scheme(page)).toBe("dark");
    await expectAccessible(page, "the danger zone with a refusal, dark");
    await shot(page, PREFIX, "1280-delete-org-refused");

    await zone.getByLabel("Type the organisation's handle, paper-mill, to confirm").fill("paper-mill");
    await zone.getByRole("button", { name: "Delete organisation" }).click();
    await page.waitForURL(`${web.url}/`, { timeout: 60_000 });
    await expect.poll(() => page.getByText("Paper Mill is deleted.").count(), { timeout: 15_000 }).toBe(1);
    await expectAccessible(page, "the home page with the notice, dark");
    await shot(page, PREFIX, "1280-org-deleted");
    expect(await orgIds(page)).not.toContain(mill);
    expect(await orgIds(page)).toContain(quill);
    expect((await tenantModel(connection).findById(mill).lean())?.status).toBe("offboarding");
    await ctx.close();
  }, 400_000);

  it("at 375 px a member's organisation, groups and account pages fit and pass axe; leaving asks first", async () => {
    const ctx = await context(375, "light");
    const page = await signIn(ctx, web.url, MAX, `/orgs/${quill}`);
    await expect.poll(() => memberList(page), { timeout: 60_000 }).toContain(OLIVE.name);
    expect(await noSidewaysScroll(page)).toBe(true);
    await expectAccessible(page, "the organisation page at 375 px");
    await shot(page, PREFIX, "375-org");
    await page.goto(`${web.url}/orgs/${quill}/groups`, { timeout: 60_000 });
    await expect.poll(() => page.getByTestId("groups-read-only").count(), { timeout: 60_000 }).toBe(1);
    expect(await noSidewaysScroll(page)).toBe(true);
    await expectAccessible(page, "the groups page at 375 px");
    await shot(page, PREFIX, "375-groups");
    await page.goto(`${web.url}/account`, { timeout: 60_000 });
    await expect.poll(() => page.getByTestId("account-deletion-preview").count(), { timeout: 60_000 }).toBe(1);
    expect(await noSidewaysScroll(page)).toBe(true);
    await expectAccessible(page, "the account page at 375 px");
    await shot(page, PREFIX, "375-account");

    // Max leaves Quill Co: asked first; cancelled, still a member; confirmed, out, on the home page with a notice.
    await page.goto(`${web.url}/orgs/${quill}`, { timeout: 60_000 });
    await page.getByTestId("leave").click({ timeout: 60_000 });
    await answer(page, "You lose access to Quill Co at once", false);
    expect((await members(page, quill)).map((m) => m.userId)).toContain(ids.max);
    await page.getByTestId("leave").click();
    await answer(page, "You lose access to Quill Co at once", true);
    await expect.poll(() => page.url(), { timeout: 60_000 }).toBe(`${web.url}/`);
    await expect.poll(() => page.getByText("You are no longer a member of Quill Co.").count(), { timeout: 15_000 }).toBe(1);
    const mine = (await call<{ organisations: Array<{ id: string }> }>(page, "GET", "/api/orgs")).organisations.map((o) => o.id);
    expect(mine).not.toContain(quill);
    expect(mine).toContain(shop);
    expect(await noSidewaysScroll(page)).toBe(true);
    await expectAccessible(page, "the home page after leaving, 375 px");
    await shot(page, PREFIX, "375-left");
    await ctx.close();
  }, 400_000);

  it("deleting one's account: refused while the last owner of an organisation with others; then deleted, signed out, no sign-in", async () => {
    const ctx = await context(1280, "dark");
    const page = await signIn(ctx, web.url, DORA, "/account");
    const section = page.getByTestId("delete-account");
    await expect.poll(() => section.getByTestId("blocked-by").textContent(), { timeout: 60_000 }).toContain("You are the last owner of Dora Shop");
    expect(await section.getByTestId("organisations-deleted").textContent()).toContain("Dora Drafts");
    expect(await scheme(page)).toBe("dark");
    await expectAccessible(page, "the account page with its deletion, dark");
    await shot(page, PREFIX, "1280-account-blocked-dark");

    // Tried anyway: the API's refusal is shown, and nothing changed.
    await section.getByLabel(`Type your email address, ${DORA.email}, to confirm`).fill(DORA.email);
    await section.getByLabel("Your password").fill(DORA.password);
    await section.getByRole("button", { name: "Delete my account" }).click();
    await expect.poll(() => section.getByTestId("form-error").textContent(), { timeout: 30_000 }).toContain("You are the last owner of Dora Shop. Make another member an owner there");
    expect((await call<{ account: { email: string } }>(page, "GET", "/api/me")).account.email).toBe(DORA.email);
    // A wrong email typed is refused too.
    await section.getByLabel(`Type your email address, ${DORA.email}, to confirm`).fill("someone@else.test");
    await section.getByRole("button", { name: "Delete my account" }).click();
    await expect.poll(() => section.getByTestId("form-error").textContent(), { timeout: 30_000 }).toContain("Type your email address to confirm.");
    await shot(page, PREFIX, "1280-account-refused-dark");

    // Resolved: Max becomes an owner of Dora Shop on its page (up: no question asked).
    await page.goto(`${web.url}/orgs/${shop}`, { timeout: 60_000 });
    await page.getByLabel(`Role of ${MAX.name}`).selectOption("owner", { timeout: 60_000 });
    await expect.poll(async () => (await members(page, shop)).find((m) => m.userId === ids.max)?.role, { timeout: 15_000 }).toBe("owner");

    await page.goto(`${web.url}/account`, { timeout: 60_000 });
    await expect.poll(() => section.getByTestId("account-deletion-preview").count(), { timeout: 60_000 }).toBe(1);
    expect(await section.getByTestId("blocked-by").count()).toBe(0);
    await section.getByLabel(`Type your email address, ${DORA.email}, to confirm`).fill(DORA.email);
    await section.getByLabel("Your password").fill(DORA.password);
    await section.getByRole("button", { name: "Delete my account" }).click();
    // On the sign-in page; a refusal, if any, says why not.
    const where = async () => (page.url() === `${web.url}/sign-in` ? "sign-in" : (await section.getByTestId("form-error").count()) ? await section.getByTestId("form-error").textContent() : page.url());
    await expect.poll(where, { timeout: 60_000 }).toBe("sign-in");
    await expect.poll(() => page.getByText(`Your account ${DORA.email} is deleted and you are signed out.`).count(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByText("Dora Drafts was deleted with it.").count()).toBe(1);
    await expectAccessible(page, "the sign-in page after deleting the account");
    await shot(page, PREFIX, "1280-account-deleted");
    expect(await page.evaluate(async () => (await fetch("/api/me")).status)).toBe(401);

    // Signing in with it fails.
    await page.getByLabel("Email").fill(DORA.email);
    await page.getByLabel("Password").fill(DORA.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByTestId("form-error").count(), { timeout: 30_000 }).toBe(1);
    expect(page.url()).toBe(`${web.url}/sign-in`);
    await ctx.close();

    // Dora Shop stays, with Max as its owner; Dora Drafts is gone.
    const maxCtx = await context(1280, "light");
    const maxPage = await signIn(maxCtx, web.url, MAX, `/orgs/${shop}`);
    expect((await members(maxPage, shop)).map((m) => `${m.name}:${m.role}`)).toEqual([`${MAX.name}:owner`]);
    // The organisation only Dora was in went with her account (offboarding: its data goes in the background).
    expect((await tenantModel(connection).findById(drafts).lean())?.status).toBe("offboarding");
    expect((await tenantModel(connection).findById(shop).lean())?.status).toBe("active");
    expect((await tenantModel(connection).findById(quill).lean())?.status).toBe("active");
    await maxCtx.close();
  }, 400_000);
});
