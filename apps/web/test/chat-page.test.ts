import { startServer } from "@tandem/api";
import { getConnection } from "@tandem/core/database";
import { signUp, verifyEmail } from "@tandem/core/identity";
import { createOrganisation } from "@tandem/core/tenants";
import { createLocalBuckets, LOCAL_BUCKETS, startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { answerConfirmation as answer, call, dragFiles, expectAccessible, launchChromium, recorded, recordStates, settled, shot, signIn, startWebApp, throttleUploads, type WebApp } from "./browser.js";

/**
 * The chat page's controls (issue 12, item 3) in Chromium, against the real API, Bedrock's
 * stand-in, moto's S3 and the in-process file reading: the waiting state before the first
 * words, the automatic title (header and sidebar), copying a message and a code block
 * (highlighted), regenerate, edit and resend, delete a message (Cancel leaves it), inline rename,
 * a file attached by drag-and-drop with its upload and reading progress then removed from the
 * files panel, the image gallery's download link and delete, and deleting the notebook. At
 * 375 px in the dark theme: nothing scrolls sideways, Esc stops a reply, ArrowUp edits the last
 * question, Ctrl+/ lists the shortcuts, a file pasted into the message box is attached. axe on
 * each state; screenshots in artifacts/chat-page-*.png.
 */
const DATABASE = `${inject("mongodbUri")}/web-chat-page`;
const USER = { email: "chat-user@tandem.test", password: "chat user passphrase", name: "Rachel Carson" };

let api: Awaited<ReturnType<typeof startServer>>;
let web: WebApp;
let bedrock: BedrockStandIn;
let browser: Browser;
let orgId: string;

beforeAll(async () => {
  bedrock = await startBedrockStandIn({ tokenDelayMs: 5 });
  const aws = inject("awsEnv");
  await createLocalBuckets(aws.AWS_ENDPOINT_URL!);
  const connection = await getConnection({ uri: DATABASE });
  await connection.dropDatabase();
  api = await startServer(
    {
      MONGODB_URI: DATABASE,
      SESSION_SECRET: "web-chat-session-secret-0123456789abcdef",
      JWT_SECRET: "web-chat-jwt-secret-0123456789abcdef01234",
      APP_URL: "http://127.0.0.1",
      ...aws,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      KNOWLEDGE_FILES_BUCKET: LOCAL_BUCKETS.KNOWLEDGE_FILES_BUCKET,
      GENERATED_IMAGES_BUCKET: LOCAL_BUCKETS.GENERATED_IMAGES_BUCKET,
      LOG_LEVEL: "silent",
    },
    0,
  );
  const { account, verifyToken } = await signUp(connection, USER);
  await verifyEmail(connection, verifyToken);
  orgId = (await createOrganisation(connection, account.id, { name: "Tide Lab", slug: "tide-lab" })).id;
  web = await startWebApp({ apiUrl: api.url, name: "chat" });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  web?.close();
  await api?.close();
  await bedrock?.close();
});

const sidebarTitles = (page: Page) => page.getByTestId("sidebar-notebook").allTextContents();
const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const roles = (page: Page) => page.getByTestId("messages").locator("li[data-testid^=message-]").evaluateAll((els) => els.map((el) => `${el.getAttribute("data-testid")!.slice("message-".length)}:${el.getAttribute("data-status")}`));
const texts = (page: Page) => page.getByTestId("messages").locator("li[data-testid^=message-] .markdown").allTextContents();
const lastReply = (page: Page) => page.getByTestId("message-assistant").last();
const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());
const title = (page: Page) => page.getByTestId("notebook-title").textContent();

/** A new, untitled notebook, opened; the page ready to type in. */
async function openNewNotebook(page: Page): Promise<string> {
  const made = await call<{ notebook: { id: string } }>(page, "POST", `/api/orgs/${orgId}/notebooks`, {});
  await page.goto(`${web.url}/orgs/${orgId}/notebooks/${made.notebook.id}`, { timeout: 120_000 });
  await expect.poll(() => page.getByTestId("model-picker").inputValue(), { timeout: 60_000 }).toBe("tandem.local-echo-v1");
  return made.notebook.id;
}

/** Confirms (or cancels) the open confirmation dialog, after checking what it says (over the files panel, too). */
const answerConfirmation = (page: Page, says: string, confirm: boolean, screenshot?: string) => answer(page, says, confirm, screenshot ? { prefix: "chat-page", name: screenshot } : undefined);

describe("the chat page", () => {
  it("at 1280 px: waiting state, automatic title, copy, highlighting, regenerate, edit, delete, rename, files, images, delete notebook", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light", permissions: ["clipboard-read", "clipboard-write"] });
    const page = await signIn(context, web.url, USER, `/orgs/${orgId}/notebooks`);
    const notebookId = await openNewNotebook(page);
    expect(await title(page)).toBe("Untitled notebook");

    // The question is held on its way for a moment: the thread shows the waiting state (announced), then the reply.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route("**/messages", async (route) => {
      await held;
      await route.continue().catch(() => undefined);
    });
    await page.getByLabel("Message").fill("How do tides work near the coast?");
    await page.getByLabel("Message").press("Enter");
    const pending = page.getByTestId("pending");
    await expect.poll(() => pending.textContent(), { timeout: 10_000 }).toBe("Thinking…");
    expect(await pending.getAttribute("aria-live")).toBe("polite");
    expect(await page.getByTestId("stop").isVisible()).toBe(true);
    await shot(page, "chat-page", "1280-thinking");
    release();
    await expect.poll(() => roles(page), { timeout: 30_000 }).toEqual(["user:complete", "assistant:complete"]);
    await page.unroute("**/messages");
    expect(await pending.count()).toBe(0);
    await expect.poll(() => lastReply(page).locator(".markdown").textContent()).toBe("You asked: How do tides work near the coast? This reply comes from the local test model.");
    // Named from the first exchange: the header and the sidebar follow without a reload.
    await expect.poll(() => title(page), { timeout: 15_000 }).toBe("How do tides work near");
    await expect.poll(() => sidebarTitles(page), { timeout: 15_000 }).toContain("How do tides work near");

    // A question with code: the code block is highlighted (the lazily loaded renderer) and has its copy button.
    await page.getByLabel("Message").fill("Explain this:\n```js\nconst answer = 42; // the answer\n```\nWhat does it do?");
    await page.getByTestId("send").click();
    await expect.poll(() => roles(page), { timeout: 30_000 }).toEqual(["user:complete", "assistant:complete", "user:complete", "assistant:complete"]);
    const keyword = lastReply(page).getByTestId("code-block").locator(".hljs-keyword").first();
    await expect.poll(() => keyword.textContent(), { timeout: 15_000 }).toBe("const");
    expect(await keyword.evaluate((el) => getComputedStyle(el).color)).toBe("rgb(207, 34, 46)");
    expect(await lastReply(page).getByTestId("code-block").locator(".hljs-comment").textContent()).toBe("// the answer");
    await expectAccessible(page, "the chat with a highlighted code block, light");
    await shot(page, "chat-page", "1280-code");

    // Copy a message, then a code block: "Copied" shows, and the clipboard holds the text.
    const reply = (await lastReply(page).locator(".markdown").textContent())!;
    await lastReply(page).getByTestId("copy-message").click();
    await expect.poll(() => lastReply(page).getByTestId("copied").textContent()).toBe("Copied");
    await expect.poll(() => clipboard(page)).toContain("You asked: Explain this:");
    expect(reply).toContain("What does it do? This reply comes from the local test model.");
    await lastReply(page).getByTestId("copy-code").click();
    await expect.poll(() => lastReply(page).getByTestId("copy-code").textContent()).toBe("Copied");
    await expect.poll(() => clipboard(page)).toBe("const answer = 42; // the answer");

    // Regenerate the latest reply: a new reply takes its place; the older reply has no regenerate button.
    expect(await page.getByTestId("message-assistant").first().getByTestId("regenerate").count()).toBe(0);
    const before = await lastReply(page).getAttribute("data-id");
    const requests = bedrock.requests.length;
    await lastReply(page).getByTestId("regenerate").click();
    await expect.poll(() => lastReply(page).getAttribute("data-id"), { timeout: 30_000 }).not.toBe(before);
    await expect.poll(() => roles(page), { timeout: 30_000 }).toEqual(["user:complete", "assistant:complete", "user:complete", "assistant:complete"]);
    expect(bedrock.requests.length).toBeGreaterThan(requests);
    // ArrowUp in the empty message box edits the last question; Esc leaves it as it was.
    await page.getByLabel("Message").focus();
    await page.getByLabel("Message").press("ArrowUp");
    await expect.poll(() => page.getByLabel("Edit your question").inputValue()).toContain("const answer = 42;");
    await page.getByLabel("Edit your question").press("Escape");
    await expect.poll(() => page.getByTestId("edit-box").count()).toBe(0);

    // Edit the first question and send it again: it and everything after it are replaced.
    await page.getByTestId("message-user").first().getByTestId("edit-question").click();
    await page.getByLabel("Edit your question").fill("How do waves form at sea?");
    await page.getByTestId("save-edit").click();
    await expect.poll(() => roles(page), { timeout: 30_000 }).toEqual(["user:complete", "assistant:complete"]);
    expect(await texts(page)).toEqual(["How do waves form at sea?", "You asked: How do waves form at sea? This reply comes from the local test model."]);

    // Delete a question: Cancel leaves everything; confirming removes it with its reply.
    await page.getByLabel("Message").fill("Are spring tides higher?");
    await page.getByLabel("Message").press("Enter");
    await expect.poll(() => roles(page), { timeout: 30_000 }).toEqual(["user:complete", "assistant:complete", "user:complete", "assistant:complete"]);
    await page.getByTestId("message-user").last().getByTestId("delete-message").click();
    await answerConfirmation(page, "The question and its reply are removed", false, "1280-confirm-delete-question");
    expect(await roles(page)).toHaveLength(4);
    expect((await call<{ messages: unknown[] }>(page, "GET", `/api/orgs/${orgId}/notebooks/${notebookId}`)).messages).toHaveLength(4);
    await page.getByTestId("message-user").last().getByTestId("delete-message").click();
    await answerConfirmation(page, "The question and its reply are removed", true);
    await expect.poll(() => roles(page)).toEqual(["user:complete", "assistant:complete"]);
    expect((await call<{ messages: unknown[] }>(page, "GET", `/api/orgs/${orgId}/notebooks/${notebookId}`)).messages).toHaveLength(2);
    // A reply deleted alone leaves its question, which can be answered again.
    await lastReply(page).getByTestId("delete-message").click();
    await answerConfirmation(page, "its question stays", true);
    await expect.poll(() => roles(page)).toEqual(["user:complete"]);
    await page.getByTestId("message-user").last().getByRole("button", { name: "Answer again" }).click();
    await expect.poll(() => roles(page), { timeout: 30_000 }).toEqual(["user:complete", "assistant:complete"]);
    expect(await texts(page)).toEqual(["How do waves form at sea?", "You asked: How do waves form at sea? This reply comes from the local test model."]);

    // Rename in place: Esc cancels, Enter saves; the sidebar follows.
    await page.getByTestId("notebook-title").click();
    await page.getByLabel("Notebook title").fill("Not this one");
    await page.getByLabel("Notebook title").press("Escape");
    await expect.poll(() => title(page)).toBe("How do tides work near");
    await page.getByTestId("rename-notebook").click();
    await page.getByLabel("Notebook title").fill("Tide notes");
    await page.getByLabel("Notebook title").press("Enter");
    await expect.poll(() => title(page)).toBe("Tide notes");
    await expect.poll(() => sidebarTitles(page), { timeout: 15_000 }).toContain("Tide notes");
    expect((await call<{ notebook: { title: string } }>(page, "GET", `/api/orgs/${orgId}/notebooks/${notebookId}`)).notebook.title).toBe("Tide notes");

    // A file dropped on the page: the drop overlay, its upload's progress (a percentage), the
    // check (held here for a moment), then its reading until it is ready.
    let releaseCheck!: () => void;
    const checking = new Promise<void>((r) => (releaseCheck = r));
    await page.route("**/files/*/complete", async (route) => {
      await checking;
      await route.continue().catch(() => undefined);
    });
    // Uploads slowed to 16 KB/s (Chromium's network emulation), so the ~34 KB file reports its progress on the way.
    const unthrottle = await throttleUploads(context, page, 16 * 1024);
    await recordStates(page, "upload", '[data-testid="upload"]', ["data-phase", "data-percent"]);
    const notes = { name: "tide-notes.md", type: "text/markdown", text: `# Tide notes\n\n${"Spring tides happen when the sun and the moon line up. ".repeat(600)}\n` };
    await dragFiles(page, '[data-testid="thread"]', [notes], "over");
    await expect.poll(() => page.getByTestId("drop-overlay").isVisible()).toBe(true);
    await shot(page, "chat-page", "1280-dragging");
    await dragFiles(page, '[data-testid="thread"]', [notes], "drop");
    expect(await page.getByTestId("drop-overlay").count()).toBe(0);
    const upload = page.getByTestId("upload");
    await expect.poll(async () => Number((await upload.getAttribute("data-percent")) ?? 0), { timeout: 30_000 }).toBeGreaterThan(0);
    await shot(page, "chat-page", "1280-uploading");
    await expect.poll(() => upload.getAttribute("data-phase"), { timeout: 30_000 }).toBe("checking");
    expect(await upload.getAttribute("data-percent")).toBe("100");
    expect(await upload.locator('[role="progressbar"]').getAttribute("aria-valuenow")).toBe("100");
    const seen = await recorded(page, "upload");
    expect(seen[0]).toBe("uploading:0");
    const percents = seen.filter((x) => x.startsWith("uploading:")).map((x) => Number(x.split(":")[1]));
    expect(percents.some((p) => p > 0 && p < 100), `upload progress seen: ${seen.join(" ")}`).toBe(true);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    await unthrottle();
    await expectAccessible(page, "a file being checked, light");
    await shot(page, "chat-page", "1280-uploaded");
    releaseCheck();
    await page.unroute("**/files/*/complete");
    await expect.poll(() => page.getByTestId("files").textContent(), { timeout: 60_000 }).toContain("tide-notes.md ready");
    expect(await upload.count()).toBe(0);

    // The files panel: the file with its status; Remove asks first, and Cancel keeps it.
    await page.getByTestId("open-files").click();
    const panelFile = page.getByTestId("panel-file");
    await expect.poll(() => panelFile.getAttribute("data-status"), { timeout: 10_000 }).toBe("ready");
    expect(await panelFile.textContent()).toContain("tide-notes.md");
    await settled(page, ".mantine-Drawer-content");
    await expectAccessible(page, "the files panel, light");
    await shot(page, "chat-page", "1280-files");
    await panelFile.getByTestId("remove-file").click();
    await answerConfirmation(page, "replies stop citing it", true);
    await expect.poll(() => page.getByTestId("panel-file").count(), { timeout: 15_000 }).toBe(0);
    expect((await call<{ files: unknown[] }>(page, "GET", `/api/orgs/${orgId}/notebooks/${notebookId}/files`)).files).toEqual([]);
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByTestId("files-panel").count()).toBe(0);
    expect(await page.getByTestId("files").textContent()).not.toContain("tide-notes.md");

    // The image gallery: generate, download link, delete after confirming.
    await page.getByText("Images (0)").click();
    await page.getByLabel("Image description").fill("a rock pool at low tide");
    await page.getByTestId("generate-image").click();
    const image = page.getByTestId("gallery-image");
    await expect.poll(() => image.count(), { timeout: 30_000 }).toBe(1);
    const src = await image.locator("img").getAttribute("src");
    const download = image.getByTestId("download-image");
    expect(await download.getAttribute("download")).toBe("a-rock-pool-at-low-tide.png");
    // The same object, answered as a download under that name (storage is another origin, where `download` is ignored).
    const href = (await download.getAttribute("href"))!;
    expect(href.split("?")[0]).toBe(src!.split("?")[0]);
    expect(decodeURIComponent(href)).toContain("response-content-disposition=attachment");
    await expect.poll(() => image.locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
    await expectAccessible(page, "the image gallery, light");
    await shot(page, "chat-page", "1280-gallery");
    await image.getByTestId("delete-image").click();
    await answerConfirmation(page, "a rock pool at low tide", true);
    await expect.poll(() => image.count(), { timeout: 15_000 }).toBe(0);
    expect((await call<{ images: unknown[] }>(page, "GET", `/api/orgs/${orgId}/notebooks/${notebookId}/images`)).images).toEqual([]);

    // Delete the notebook from the header's menu: the dialog says what goes; then the notebooks list, without it.
    await page.getByTestId("notebook-menu").click();
    await page.getByTestId("delete-notebook").click();
    await answerConfirmation(page, "“Tide notes” is deleted with everything in it: its 2 messages, no files and no images. Stored files and images are removed in the background.", true, "1280-delete-notebook");
    await page.waitForURL(`${web.url}/orgs/${orgId}/notebooks`, { timeout: 60_000 });
    await expect.poll(() => sidebarTitles(page), { timeout: 15_000 }).not.toContain("Tide notes");
    const gone = await page.evaluate(async (url) => (await fetch(url)).status, `/api/orgs/${orgId}/notebooks/${notebookId}`);
    expect(gone).toBe(404);
    await context.close();
  }, 600_000);

  it("at 375 px in the dark theme: no sideways scroll, Esc stops a reply, ArrowUp edits, Ctrl+/ lists the shortcuts, a pasted file is attached", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 }, colorScheme: "dark", permissions: ["clipboard-read", "clipboard-write"] });
    const page = await signIn(context, web.url, USER, `/orgs/${orgId}/notebooks`);
    // The dark theme, chosen in the user menu (kept on the account).
    await page.getByTestId("user-menu").click();
    await page.getByRole("menuitem", { name: "Dark theme" }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.getAttribute("data-mantine-color-scheme"))).toBe("dark");
    await openNewNotebook(page);

    await page.getByLabel("Message").fill("Show a long line:\n```python\nprint('a very long line of code that would push the page sideways if the block did not scroll on its own')\n```\nWhy?");
    await page.getByLabel("Message").press("Enter");
    await expect.poll(() => roles(page), { timeout: 30_000 }).toEqual(["user:complete", "assistant:complete"]);
    await expect.poll(() => title(page), { timeout: 15_000 }).toBe("Show a long line");
    const keyword = lastReply(page).getByTestId("code-block").locator(".hljs-built_in").first();
    await expect.poll(() => keyword.textContent(), { timeout: 15_000 }).toBe("print");
    expect(await keyword.evaluate((el) => getComputedStyle(el).color)).toBe("rgb(255, 166, 87)");
    expect(await noSidewaysScroll(page)).toBe(true);
    // The message's controls are on screen at this width.
    const actions = await lastReply(page).getByTestId("message-actions").boundingBox();
    expect(actions!.x + actions!.width).toBeLessThanOrEqual(375);
    await expectAccessible(page, "the chat at 375 px, dark");
    await shot(page, "chat-page", "375-dark-reply");

    // Esc stops a reply being written.
    await page.getByLabel("Message").fill("stream 3000 tokens");
    await page.getByLabel("Message").press("Enter");
    await expect.poll(async () => (await lastReply(page).textContent())?.includes("t20 "), { timeout: 30_000 }).toBe(true);
    await page.keyboard.press("Escape");
    await expect.poll(() => lastReply(page).getAttribute("data-status"), { timeout: 15_000 }).toBe("stopped");
    expect(await noSidewaysScroll(page)).toBe(true);

    // ArrowUp in the empty box edits the last question, in place.
    await page.getByLabel("Message").focus();
    await page.getByLabel("Message").press("ArrowUp");
    await expect.poll(() => page.getByLabel("Edit your question").inputValue()).toBe("stream 3000 tokens");
    expect(await noSidewaysScroll(page)).toBe(true);
    await expectAccessible(page, "editing a question at 375 px, dark");
    await shot(page, "chat-page", "375-dark-editing");
    await page.getByTestId("cancel-edit").click();
    await expect.poll(() => page.getByTestId("edit-box").count()).toBe(0);

    // Ctrl+/ lists the keyboard shortcuts.
    await page.keyboard.press("Control+/");
    await expect.poll(() => page.getByTestId("shortcuts").textContent(), { timeout: 10_000 }).toContain("Stop the reply being written");
    await settled(page, ".mantine-Modal-content");
    await expectAccessible(page, "the keyboard shortcuts, dark");
    await shot(page, "chat-page", "375-dark-shortcuts");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByTestId("shortcuts").count()).toBe(0);
    // The same list from the keyboard button by the message box.
    await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
    await expect.poll(() => page.getByTestId("shortcuts").textContent(), { timeout: 10_000 }).toContain("Edit your last question");
    await page.getByRole("button", { name: "Close the keyboard shortcuts" }).click();
    await expect.poll(() => page.getByTestId("shortcuts").count()).toBe(0);

    // A file pasted into the message box is attached (and the text box keeps no trace of it).
    await page.getByLabel("Message").evaluate((box) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(["Neap tides are the smallest tides of the month."], "pasted-notes.txt", { type: "text/plain" }));
      box.dispatchEvent(new ClipboardEvent("paste", { bubbles: true, cancelable: true, clipboardData: transfer }));
    });
    await expect.poll(() => page.getByTestId("files").textContent(), { timeout: 60_000 }).toContain("pasted-notes.txt ready");
    expect(await page.getByLabel("Message").inputValue()).toBe("");

    // The files panel fits the width.
    await page.getByTestId("open-files").click();
    await expect.poll(() => page.getByTestId("panel-file").getAttribute("data-status")).toBe("ready");
    expect(await noSidewaysScroll(page)).toBe(true);
    await settled(page, ".mantine-Drawer-content");
    await expectAccessible(page, "the files panel at 375 px, dark");
    await shot(page, "chat-page", "375-dark-files");
    await context.close();
  }, 400_000);
});
