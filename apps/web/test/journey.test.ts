import { startServer } from "@tandem/api";
import { getConnection } from "@tandem/core/database";
import { signUp, verifyEmail } from "@tandem/core/identity";
import { createOrganisation } from "@tandem/core/tenants";
import { createLocalBuckets, LOCAL_BUCKETS, startBedrockStandIn, startMailCatcher, type BedrockStandIn, type MailCatcher } from "@tandem/local";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  answerConfirmation,
  call,
  dragFiles,
  expectAccessible,
  launchChromium,
  mailedLink,
  recorded,
  recordStates,
  reservePort,
  settled,
  shot,
  signIn,
  signUpAndConfirm,
  startWebApp,
  throttleUploads,
  type WebApp,
} from "./browser.js";

/**
 * A brand-new person's whole journey in Chromium, at 1280 px and at 375 px (where the sidebar is
 * a drawer behind the burger): signing up on the sign-up page and confirming through the link in
 * the mail a real SMTP server received, signing in, creating an organisation, a notebook, a
 * streamed reply from Bedrock's stand-in, copying it, regenerating it, editing the question and
 * sending it again, a file dropped on the thread with its upload and reading progress until it
 * is ready, removing it, deleting the notebook, joining a second organisation through a mailed
 * invitation, switching with the header's switcher (each organisation shows its own notebooks,
 * not the other's; the host's notebook stays private), and a theme that stays after a reload. Every page and dialog on the way is scanned with axe-core
 * (no serious or critical violation) and nothing scrolls sideways; screenshots go to
 * artifacts/journey-<width>-*.png. One web app and one browser serve both widths.
 */
const DATABASE = `${inject("mongodbUri")}/web-journey`;
const PREFIX = "journey";
const HOST = { email: "hannah-harbour@tandem.test", password: "harbour host passphrase", name: "Hannah Harbour" };
const HARBOUR_NOTEBOOK = "Harbour tide tables";
const SHIFT_NOTES = "Harbour shift notes";

let mail: MailCatcher;
let bedrock: BedrockStandIn;
let api: Awaited<ReturnType<typeof startServer>>;
let web: WebApp;
let webUrl: string;
let browser: Browser;
let harbour: string;
let hostContext: BrowserContext;
let host: Page;

beforeAll(async () => {
  const port = await reservePort();
  webUrl = `http://127.0.0.1:${port}`;
  mail = await startMailCatcher();
  bedrock = await startBedrockStandIn({ tokenDelayMs: 25 });
  const aws = inject("awsEnv");
  await createLocalBuckets(aws.AWS_ENDPOINT_URL!);
  const connection = await getConnection({ uri: DATABASE });
  await connection.dropDatabase();
  api = await startServer(
    {
      MONGODB_URI: DATABASE,
      SESSION_SECRET: "web-journey-session-secret-0123456789abcd",
      JWT_SECRET: "web-journey-jwt-secret-0123456789abcdef012",
      MAIL_HOST: "127.0.0.1",
      MAIL_PORT: String(mail.port),
      MAIL_USERNAME: "mailer",
      MAIL_PASSWORD: "pw",
      MAIL_FROM: "Tandem <no-reply@tandem.test>",
      APP_URL: webUrl,
      ...aws,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      KNOWLEDGE_FILES_BUCKET: LOCAL_BUCKETS.KNOWLEDGE_FILES_BUCKET,
      GENERATED_IMAGES_BUCKET: LOCAL_BUCKETS.GENERATED_IMAGES_BUCKET,
      LOG_LEVEL: "silent",
    },
    0,
  );
  // The second organisation: Hannah's, with a notebook of its own; she invites each newcomer.
  const { account, verifyToken } = await signUp(connection, HOST);
  await verifyEmail(connection, verifyToken);
  harbour = (await createOrganisation(connection, account.id, { name: "Harbour Co", slug: "harbour-co" })).id;
  web = await startWebApp({ apiUrl: api.url, name: "journey", port });
  browser = await launchChromium();
  hostContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  host = await signIn(hostContext, webUrl, HOST, `/orgs/${harbour}`);
  await call(host, "POST", `/api/orgs/${harbour}/notebooks`, { title: HARBOUR_NOTEBOOK });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  web?.close();
  await api?.close();
  await mail?.close();
  await bedrock?.close();
});

type Message = { id: string; role: string; content: string; status: string };
type NotebookView = { notebook: { title: string }; messages: Message[] };

const scheme = (page: Page) => page.evaluate(() => document.documentElement.getAttribute("data-mantine-color-scheme"));
const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const sidebarTitles = (page: Page) => page.getByTestId("sidebar-notebook").allTextContents();
const roles = (page: Page) => page.getByTestId("messages").locator("li[data-testid^=message-]").evaluateAll((els) => els.map((el) => `${el.getAttribute("data-testid")!.slice("message-".length)}:${el.getAttribute("data-status")}`));
const texts = (page: Page) => page.getByTestId("messages").locator("li[data-testid^=message-] .markdown").allTextContents();
const lastReply = (page: Page) => page.getByTestId("message-assistant").last();
const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());
const me = (page: Page) => call<{ account: { currentOrganisationId: string | null; theme: string | null }; organisations: Array<{ id: string; name: string; role: string }> }>(page, "GET", "/api/me");
const status = (page: Page, url: string) => page.evaluate(async (u) => (await fetch(u)).status, url);

async function journey(width: number, height: number) {
  const mobile = width < 768;
  const user = { name: "Rachel Carson", email: `rachel-${width}@tandem.test`, password: "silent spring 1962" };
  const orgName = `Tide Lab ${width}`;
  /** No sideways scroll, axe (unless told not to), then the screenshot journey-<width>-<name>.png. */
  const look = async (page: Page, name: string, what: string | null) => {
    expect(await noSidewaysScroll(page), `${name} scrolls sideways at ${width} px`).toBe(true);
    if (what) await expectAccessible(page, `${what} at ${width} px`);
    await shot(page, PREFIX, `${width}-${name}`);
  };
  const drawer = (page: Page) => page.getByRole("navigation", { name: "Workspace" });
  /** At 375 px the sidebar is a drawer: the burger opens it. At 1280 px it is always there. */
  const openSidebar = async (page: Page) => {
    if (mobile) {
      expect(await drawer(page).isVisible()).toBe(false);
      await page.getByTestId("burger").click();
    }
    await expect.poll(() => drawer(page).isVisible()).toBe(true);
    if (mobile) await settled(page, ".workspace-nav");
  };
  const closeSidebar = async (page: Page) => {
    if (!mobile) return;
    await page.getByTestId("burger").click();
    await expect.poll(() => drawer(page).isVisible()).toBe(false);
  };
  /** The sidebar's notebooks after a page load (at 375 px the drawer's contents are made when it is first opened). */
  const sidebarAfterLoad = async (page: Page, titles: string[]) => {
    await openSidebar(page);
    await expect.poll(() => sidebarTitles(page), { timeout: 60_000 }).toEqual(titles);
    await closeSidebar(page);
  };
  const context = await browser.newContext({ viewport: { width, height }, colorScheme: "light", permissions: ["clipboard-read", "clipboard-write"] });

  // 1. Sign up on the sign-up page; the address is confirmed through the link in the mail.
  const first = await context.newPage();
  const pages = { form: "the sign-up page", sent: "the sign-up page after sending", confirmed: "the confirmed address" };
  await signUpAndConfirm(first, webUrl, mail, user, async (stage) => look(first, `1-sign-up-${stage}`, pages[stage]));
  await first.close();

  // 2. Sign in: the home page greets the person, who is in no organisation yet.
  const page = await signIn(context, webUrl, user, "/", (p) => look(p, "2-sign-in", "the sign-in page"));
  await expect.poll(() => page.getByRole("heading", { name: `Hello ${user.name}` }).count(), { timeout: 60_000 }).toBe(1);
  expect(await page.getByText("You are not in an organisation yet.").count()).toBe(1);
  expect((await me(page)).organisations).toEqual([]);
  await look(page, "2-home", "the home page");

  // 3. An organisation, created on the home page: its page, with the person as its owner.
  await page.getByLabel("Name", { exact: true }).fill(orgName);
  await page.getByLabel("Handle").fill(`tide-lab-${width}`);
  await page.getByRole("button", { name: "Create organisation" }).click();
  await page.waitForURL(/\/orgs\/[^/]+$/, { timeout: 60_000 });
  const orgId = new URL(page.url()).pathname.split("/")[2]!;
  await expect.poll(() => page.getByTestId("org-name").textContent(), { timeout: 60_000 }).toBe(orgName);
  await expect.poll(() => page.getByTestId("members").textContent(), { timeout: 30_000 }).toContain(user.name);
  expect(await page.getByTestId("org-slug").textContent()).toBe(`tide-lab-${width}`);
  expect((await me(page)).organisations.map((o) => `${o.id}:${o.name}:${o.role}`)).toEqual([`${orgId}:${orgName}:owner`]);
  expect(await page.getByTestId("org-switcher").inputValue()).toBe(orgId);
  expect(await drawer(page).isVisible()).toBe(!mobile);
  await look(page, "3-organisation", "the organisation page");

  // 4. A notebook, from the sidebar (at 375 px, in the drawer): it opens, empty, and the drawer closes.
  await openSidebar(page);
  await expect.poll(() => page.getByTestId("sidebar-empty").textContent(), { timeout: 30_000 }).toBe("No notebooks yet.");
  if (mobile) await look(page, "4-drawer", "the open drawer");
  await page.getByTestId("sidebar-new-notebook").click();
  await page.waitForURL(new RegExp(`/orgs/${orgId}/notebooks/[0-9a-f]{24}$`), { timeout: 60_000 });
  const notebookId = new URL(page.url()).pathname.split("/")[4]!;
  const notebookUrl = `/api/orgs/${orgId}/notebooks/${notebookId}`;
  await expect.poll(() => page.getByTestId("notebook-title").textContent(), { timeout: 60_000 }).toBe("Untitled notebook");
  await expect.poll(() => page.getByTestId("model-picker").inputValue(), { timeout: 60_000 }).toBe("tandem.local-echo-v1");
  expect(await page.getByTestId("empty-thread").isVisible()).toBe(true);
  await expect.poll(() => sidebarTitles(page), { timeout: 15_000 }).toEqual(["Untitled notebook"]);
  await expect.poll(() => drawer(page).isVisible()).toBe(!mobile);
  expect((await call<NotebookView>(page, "GET", notebookUrl)).messages).toEqual([]);
  await look(page, "4-notebook", "the new notebook");

  // 5. A question: the reply streams in (its text grows while it is written), then is complete,
  // and the notebook is named after the question.
  await recordStates(page, "reply", '[data-testid="message-assistant"] .markdown', ["aria-busy", "text"]);
  await page.getByLabel("Message").fill("How do tides work near the coast?");
  await page.getByLabel("Message").press("Enter");
  await expect.poll(() => roles(page), { timeout: 30_000 }).toEqual(["user:complete", "assistant:complete"]);
  const answer = "You asked: How do tides work near the coast? This reply comes from the local test model.";
  await expect.poll(() => lastReply(page).locator(".markdown").textContent(), { timeout: 10_000 }).toBe(answer);
  const states = await recorded(page, "reply");
  // While it streams (aria-busy) its text grows, word by word, to the whole reply.
  const streamed = states.filter((s) => s.startsWith("true:")).map((s) => s.slice("true:".length).trim());
  expect(new Set(streamed).size, `reply states: ${states.join(" | ")}`).toBeGreaterThan(2);
  for (const partial of streamed) expect(answer.startsWith(partial), `"${partial}" is not the start of the reply`).toBe(true);
  expect(streamed[0]!.length).toBeLessThan(answer.length / 2);
  expect(states.at(-1)).toBe(`:${answer}`);
  await expect.poll(() => page.getByTestId("notebook-title").textContent(), { timeout: 15_000 }).toBe("How do tides work near");
  await expect.poll(() => sidebarTitles(page), { timeout: 15_000 }).toEqual(["How do tides work near"]);
  const stored = await call<NotebookView>(page, "GET", notebookUrl);
  expect(stored.messages.map((m) => `${m.role}:${m.status}:${m.content}`)).toEqual(["user:complete:How do tides work near the coast?", `assistant:complete:${answer}`]);
  await look(page, "5-reply", "the streamed reply");

  // 6. Copy the reply: "Copied", and the clipboard holds exactly the reply.
  await page.evaluate(() => navigator.clipboard.writeText("nothing yet"));
  await lastReply(page).getByTestId("copy-message").click();
  await expect.poll(() => lastReply(page).getByTestId("copied").textContent()).toBe("Copied");
  await expect.poll(() => clipboard(page)).toBe(answer);
  await look(page, "6-copied", null);

  // 7. Regenerate: a new reply (another message, from another call of the model) takes its place.
  const replaced = await lastReply(page).getAttribute("data-id");
  const calls = bedrock.requests.length;
  await lastReply(page).getByTestId("regenerate").click();
  await expect.poll(() => lastReply(page).getAttribute("data-id"), { timeout: 30_000 }).not.toBe(replaced);
  await expect.poll(() => roles(page), { timeout: 30_000 }).toEqual(["user:complete", "assistant:complete"]);
  expect(bedrock.requests.length).toBeGreaterThan(calls);
  const regenerated = await call<NotebookView>(page, "GET", notebookUrl);
  expect(regenerated.messages.map((m) => m.id)).not.toContain(replaced);
  expect(regenerated.messages[1]).toMatchObject({ id: await lastReply(page).getAttribute("data-id"), status: "complete", content: answer });
  await look(page, "7-regenerated", null);

  // 8. Edit the question and send it again: the question and its reply are replaced.
  await page.getByTestId("message-user").first().getByTestId("edit-question").click();
  await expect.poll(() => page.getByLabel("Edit your question").inputValue()).toBe("How do tides work near the coast?");
  await page.getByLabel("Edit your question").fill("How do waves form at sea?");
  await look(page, "8-editing", "editing a question");
  await page.getByTestId("save-edit").click();
  const edited = "You asked: How do waves form at sea? This reply comes from the local test model.";
  await expect.poll(() => texts(page), { timeout: 30_000 }).toEqual(["How do waves form at sea?", edited]);
  await expect.poll(() => roles(page), { timeout: 30_000 }).toEqual(["user:complete", "assistant:complete"]);
  expect((await call<NotebookView>(page, "GET", notebookUrl)).messages.map((m) => m.content)).toEqual(["How do waves form at sea?", edited]);
  await look(page, "8-edited", null);

  // 9. A file dropped on the thread: the drop overlay, the upload's percentage (uploads slowed
  // to 16 KB/s so the ~34 KB file reports its way), the check (held a moment), then its
  // reading until it is ready.
  const notes = { name: "tide-notes.md", type: "text/markdown", text: `# Tide notes\n\n${"Spring tides happen when the sun and the moon line up. ".repeat(600)}\n` };
  let releaseCheck!: () => void;
  const checking = new Promise<void>((r) => (releaseCheck = r));
  await page.route("**/files/*/complete", async (route) => {
    await checking;
    await route.continue().catch(() => undefined);
  });
  const unthrottle = await throttleUploads(context, page, 16 * 1024);
  await recordStates(page, "upload", '[data-testid="upload"]', ["data-phase", "data-percent"]);
  await recordStates(page, "file", '[data-testid="files"] .file', ["data-status"]);
  await dragFiles(page, '[data-testid="thread"]', [notes], "over");
  await expect.poll(() => page.getByTestId("drop-overlay").isVisible()).toBe(true);
  await look(page, "9-dragging", null);
  await dragFiles(page, '[data-testid="thread"]', [notes], "drop");
  expect(await page.getByTestId("drop-overlay").count()).toBe(0);
  const upload = page.getByTestId("upload");
  await expect.poll(async () => Number((await upload.getAttribute("data-percent")) ?? 0), { timeout: 30_000 }).toBeGreaterThan(0);
  expect(await upload.textContent()).toMatch(/^Uploading tide-notes\.md: \d+%$/);
  await look(page, "9-uploading", null);
  await expect.poll(() => upload.getAttribute("data-phase"), { timeout: 30_000 }).toBe("checking");
  expect(await upload.locator('[role="progressbar"]').getAttribute("aria-valuenow")).toBe("100");
  await unthrottle();
  await look(page, "9-checking", "a file being checked");
  const uploadStates = await recorded(page, "upload");
  expect(uploadStates[0]).toBe("uploading:0");
  const percents = uploadStates.filter((s) => s.startsWith("uploading:")).map((s) => Number(s.split(":")[1]));
  expect(percents.some((p) => p > 0 && p < 100), `upload states: ${uploadStates.join(" ")}`).toBe(true);
  expect(percents).toEqual([...percents].sort((a, b) => a - b));
  expect(uploadStates.at(-1)).toBe("checking:100");
  releaseCheck();
  await expect.poll(() => page.getByTestId("files").textContent(), { timeout: 60_000 }).toContain("tide-notes.md ready");
  await page.unroute("**/files/*/complete");
  expect(await upload.count()).toBe(0);
  const fileStates = await recorded(page, "file");
  expect(fileStates.at(-1)).toBe("ready");
  expect(fileStates, `file states: ${fileStates.join(" ")}`).toContain("processing");
  const files = await call<{ files: Array<{ name: string; status: string }> }>(page, "GET", `${notebookUrl}/files`);
  expect(files.files.map((f) => `${f.name}:${f.status}`)).toEqual(["tide-notes.md:ready"]);
  await look(page, "9-ready", null);

  // 10. Remove it from the files panel, after confirming: gone from the page and the API.
  await page.getByTestId("open-files").click();
  const panelFile = page.getByTestId("panel-file");
  await expect.poll(() => panelFile.getAttribute("data-status"), { timeout: 10_000 }).toBe("ready");
  expect(await panelFile.textContent()).toContain("tide-notes.md");
  await settled(page, ".mantine-Drawer-content");
  await look(page, "10-files", "the files panel");
  await panelFile.getByTestId("remove-file").click();
  await answerConfirmation(page, "replies stop citing it", true, { prefix: PREFIX, name: `${width}-10-confirm-remove` });
  await expect.poll(() => panelFile.count(), { timeout: 15_000 }).toBe(0);
  expect((await call<{ files: unknown[] }>(page, "GET", `${notebookUrl}/files`)).files).toEqual([]);
  await page.keyboard.press("Escape");
  await expect.poll(() => page.getByTestId("files-panel").count()).toBe(0);
  expect(await page.getByTestId("files").textContent()).not.toContain("tide-notes.md");

  // 11. Delete the notebook from its menu: the dialog says what goes; then the (empty) notebooks page.
  const title = (await page.getByTestId("notebook-title").textContent())!;
  await page.getByTestId("notebook-menu").click();
  await page.getByTestId("delete-notebook").click();
  await expect.poll(() => page.getByTestId("confirm-action").count(), { timeout: 10_000 }).toBe(1);
  await settled(page, ".mantine-Modal-content");
  await expectAccessible(page, `the delete-notebook dialog at ${width} px`);
  await answerConfirmation(page, `“${title}” is deleted with everything in it: its 2 messages, no files and no images.`, true, { prefix: PREFIX, name: `${width}-11-confirm-delete` });
  await page.waitForURL(`${webUrl}/orgs/${orgId}/notebooks`, { timeout: 60_000 });
  await expect.poll(() => page.getByTestId("notebooks-empty").textContent(), { timeout: 30_000 }).toBe("No notebooks yet.");
  await expect.poll(() => sidebarTitles(page), { timeout: 15_000 }).toEqual([]);
  expect(await status(page, notebookUrl)).toBe(404);
  expect((await call<{ notebooks: unknown[] }>(page, "GET", `/api/orgs/${orgId}/notebooks`)).notebooks).toEqual([]);
  await look(page, "11-deleted", "the empty notebooks page");

  // 12. Join a second organisation: Hannah invites the person; the mailed link, then Join.
  const since = mail.received.length;
  const invited = await call<{ mailSent: boolean }>(host, "POST", `/api/orgs/${harbour}/invites`, { email: user.email, role: "member" });
  expect(invited.mailSent).toBe(true);
  await page.goto(await mailedLink(mail, webUrl, user.email, since, "/invites/accept"), { timeout: 120_000 });
  await expect.poll(() => page.getByTestId("invite-summary").textContent(), { timeout: 60_000 }).toBe(`${HOST.name} invited ${user.email} to Harbour Co as member.`);
  await look(page, "12-invitation", "the invitation");
  await page.getByRole("button", { name: "Join Harbour Co" }).click();
  await page.waitForURL(`${webUrl}/orgs/${harbour}`, { timeout: 60_000 });
  await expect.poll(() => page.getByTestId("org-name").textContent(), { timeout: 60_000 }).toBe("Harbour Co");
  await expect.poll(() => page.getByTestId("members").textContent(), { timeout: 30_000 }).toContain(HOST.name);
  expect(await page.getByTestId("members").textContent()).toContain(user.name);
  expect((await me(page)).organisations.map((o) => `${o.name}:${o.role}`).sort()).toEqual(["Harbour Co:member", `${orgName}:owner`]);
  // Hannah's own notebook stays hers (not shared): the newcomer's sidebar here has none. (At
  // 375 px, after a page load, the drawer's contents are made when it is first opened.)
  await openSidebar(page);
  await expect.poll(() => page.getByTestId("sidebar-empty").textContent(), { timeout: 30_000 }).toBe("No notebooks yet.");
  await closeSidebar(page);
  await look(page, "12-joined", "the joined organisation's page");
  // A notebook of the person's in Harbour Co, made as the sidebar makes one.
  await call(page, "POST", `/api/orgs/${harbour}/notebooks`, { title: SHIFT_NOTES });

  // 13. The header's switcher: to the person's own organisation (no notebooks: the one made in
  // Harbour Co is not there), then to Harbour Co, whose notebook shows in the sidebar and the
  // list; the choice is kept on the account.
  const switcher = page.getByTestId("org-switcher");
  expect(await switcher.locator("option").allTextContents()).toEqual(expect.arrayContaining(["Harbour Co", orgName]));
  await switcher.selectOption(orgId);
  await page.waitForURL(`${webUrl}/orgs/${orgId}/notebooks`, { timeout: 60_000 });
  await expect.poll(() => page.getByTestId("sidebar-empty").textContent(), { timeout: 30_000 }).toBe("No notebooks yet.");
  await expect.poll(async () => (await me(page)).account.currentOrganisationId, { timeout: 15_000 }).toBe(orgId);
  await expect.poll(() => page.getByTestId("notebooks-empty").textContent(), { timeout: 30_000 }).toBe("No notebooks yet.");
  expect(await page.getByTestId("notebooks").locator("li").count()).toBe(0);
  await switcher.selectOption(harbour);
  await page.waitForURL(`${webUrl}/orgs/${harbour}/notebooks`, { timeout: 60_000 });
  await expect.poll(() => page.getByTestId("notebooks").locator("li a").allTextContents(), { timeout: 30_000 }).toEqual([SHIFT_NOTES]);
  await expect.poll(() => sidebarTitles(page), { timeout: 30_000 }).toEqual([SHIFT_NOTES]);
  expect(await switcher.inputValue()).toBe(harbour);
  expect(await switcher.locator("option:checked").textContent()).toBe("Harbour Co");
  expect(await page.getByText(HARBOUR_NOTEBOOK).count()).toBe(0);
  await expect.poll(async () => (await me(page)).account.currentOrganisationId, { timeout: 15_000 }).toBe(harbour);
  await look(page, "13-switched", "the other organisation's notebooks");
  if (mobile) {
    await openSidebar(page);
    await look(page, "13-switched-drawer", "the other organisation's drawer");
    await page.getByTestId("burger").click();
    await expect.poll(() => drawer(page).isVisible()).toBe(false);
  }

  // 14. The theme: dark from the user menu, kept after a reload (and on the account); then light again.
  expect(await scheme(page)).toBe("light");
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "Dark theme" }).click();
  await expect.poll(() => scheme(page)).toBe("dark");
  await expect.poll(async () => (await me(page)).account.theme).toBe("dark");
  await page.reload();
  await sidebarAfterLoad(page, [SHIFT_NOTES]);
  await expect.poll(() => page.getByTestId("notebooks").locator("li a").allTextContents(), { timeout: 30_000 }).toEqual([SHIFT_NOTES]);
  expect(await scheme(page)).toBe("dark");
  await look(page, "14-dark", "the notebooks page, dark");
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "Light theme" }).click();
  await expect.poll(() => scheme(page)).toBe("light");
  await page.reload();
  await sidebarAfterLoad(page, [SHIFT_NOTES]);
  expect(await scheme(page)).toBe("light");
  expect((await me(page)).account.theme).toBe("light");
  await context.close();
}

describe("a new person's journey", () => {
  it("at 1280 px: sign up, organisation, notebook, chat, a file, delete, a second organisation, the theme", async () => {
    await journey(1280, 900);
  }, 300_000);

  it("at 375 px, with the sidebar as a drawer: the same journey", async () => {
    await journey(375, 800);
  }, 300_000);
});
