import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "@tandem/api";
import { createLocalBuckets, LOCAL_BUCKETS, startBedrockStandIn, startMailCatcher, waitForPort, type BedrockStandIn, type MailCatcher } from "@tandem/local";
import getPort from "get-port";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mailedLink, signUpAndConfirm } from "./browser.js";

/**
 * The whole identity journey in Chromium: sign up, confirm through the mailed link, sign in,
 * create an organisation, invite a second person, who signs up, confirms and joins through
 * the invitation mail. Mail goes to a real SMTP server; screenshots go to artifacts/.
 */
const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ARTIFACTS = path.resolve(WEB_DIR, "..", "..", "artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let mail: MailCatcher;
let bedrock: BedrockStandIn;
let api: Awaited<ReturnType<typeof startServer>>;
let web: ChildProcess;
let webUrl: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  mail = await startMailCatcher();
  bedrock = await startBedrockStandIn({ tokenDelayMs: 10 });
  const aws = inject("awsEnv");
  await createLocalBuckets(aws.AWS_ENDPOINT_URL!);
  const port = await getPort({ host: "127.0.0.1" });
  webUrl = `http://127.0.0.1:${port}`;
  api = await startServer(
    {
      MONGODB_URI: `${inject("mongodbUri")}/web-identity-flow`,
      SESSION_SECRET: "web-flow-session-secret-0123456789abcdef",
      JWT_SECRET: "web-flow-jwt-secret-0123456789abcdef0123",
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
      // A made-up licence key: enough to check that the PDF.js Express viewer is the one used.
      PDFJS_EXPRESS_VIEWER_KEY: "tandem-test-licence-key",
      LOG_LEVEL: "silent",
    },
    0,
  );
  web = spawn("pnpm", ["exec", "next", "dev", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: WEB_DIR,
    env: { ...process.env, TANDEM_API_URL: api.url, NODE_ENV: "development", NEXT_TELEMETRY_DISABLED: "1", NEXT_DIST_DIR: ".next-test-identity" },
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
  await bedrock?.close();
});

/** The link of a mail's button, as the person would click it. */
const linkIn = (to: string, since: number, pathname: string) => mailedLink(mail, webUrl, to, since, pathname);

/** The newest message's last line is on screen, above the composer pinned to the bottom. */
async function expectNewestMessageInView(page: Page) {
  await expect
    .poll(async () => {
      const message = await page.getByTestId("messages").locator("li").last().boundingBox();
      const composer = await page.locator("form.composer").boundingBox();
      return message && composer ? message.y + message.height <= composer.y + 1 && message.y + message.height > 0 : false;
    }, { timeout: 10_000 })
    .toBe(true);
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(ARTIFACTS, `identity-${name}.png`), fullPage: true });
}

const signUp = (page: Page, name: string, email: string, password: string) => signUpAndConfirm(page, webUrl, mail, { name, email, password });

async function signIn(page: Page, email: string, password: string, next?: string) {
  await page.goto(`${webUrl}/sign-in${next ? `?next=${encodeURIComponent(next)}` : ""}`, { timeout: 120_000 });
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

describe("identity in the browser", () => {
  it("signs up, confirms by mail, signs in, creates an organisation and invites a second person who joins", async () => {
    const ada = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await signUp(ada, "Ada Lovelace", "ada@tandem.test", "analytical engine 1843");
    await shot(ada, "1-confirmed");

    // A wrong password first: the page says what to do.
    await signIn(ada, "ada@tandem.test", "not my password");
    await expect.poll(() => ada.getByTestId("form-error").textContent(), { timeout: 30_000 }).toContain("reset your password");
    expect(await ada.getByTestId("providers").count()).toBe(0);
    await shot(ada, "2-wrong-password");

    await signIn(ada, "ada@tandem.test", "analytical engine 1843");
    await ada.waitForURL(`${webUrl}/`, { timeout: 60_000 });
    await expect.poll(() => ada.getByRole("heading", { name: "Hello Ada Lovelace" }).count(), { timeout: 60_000 }).toBe(1);

    await ada.getByLabel("Name", { exact: true }).fill("Analytical Engines");
    await ada.getByLabel("Handle").fill("engines");
    await ada.getByRole("button", { name: "Create organisation" }).click();
    await expect.poll(() => ada.getByTestId("org-name").textContent(), { timeout: 60_000 }).toBe("Analytical Engines");
    await shot(ada, "3-organisation");

    const since = mail.received.length;
    await ada.getByLabel("Email to invite").fill("charles@tandem.test");
    await ada.getByRole("button", { name: "Send invitation" }).click();
    await expect.poll(() => ada.getByTestId("org-note").textContent(), { timeout: 30_000 }).toBe("Invitation sent to charles@tandem.test.");
    await expect.poll(() => ada.getByTestId("invites").textContent()).toContain("charles@tandem.test");
    await shot(ada, "4-invited");
    const invitation = await linkIn("charles@tandem.test", since, "/invites/accept");

    // The second person, in a browser of their own.
    const charles = await (await browser.newContext({ viewport: { width: 375, height: 800 } })).newPage();
    await charles.goto(invitation, { timeout: 120_000 });
    await expect.poll(() => charles.getByTestId("invite-summary").textContent(), { timeout: 60_000 }).toContain("Ada Lovelace invited charles@tandem.test to Analytical Engines");
    await shot(charles, "5-invitation");
    await signUp(charles, "Charles Babbage", "charles@tandem.test", "difference engine 1822");
    await signIn(charles, "charles@tandem.test", "difference engine 1822", new URL(invitation).pathname + new URL(invitation).search);
    await charles.waitForURL((url) => url.pathname === "/invites/accept", { timeout: 60_000 });
    await charles.getByRole("button", { name: "Join Analytical Engines" }).click();
    await expect.poll(() => charles.getByTestId("org-name").textContent(), { timeout: 60_000 }).toBe("Analytical Engines");
    await expect.poll(() => charles.getByTestId("members").textContent()).toContain("Ada Lovelace");
    expect(await charles.getByTestId("members").textContent()).toContain("Charles Babbage");
    await shot(charles, "6-joined");

    // Ada sees the invitation used and Charles among the members.
    await ada.reload();
    await expect.poll(() => ada.getByTestId("members").textContent(), { timeout: 30_000 }).toContain("Charles Babbage");
    expect(await ada.getByTestId("invites").textContent()).not.toContain("charles@tandem.test");

    // Notebooks: a streamed reply, then a long one stopped half-way.
    await ada.getByTestId("notebooks-link").click();
    await ada.getByTestId("new-notebook").click();
    await ada.waitForURL(/\/notebooks\/[0-9a-f]{24}$/, { timeout: 60_000 });
    await expect.poll(() => ada.getByTestId("model-picker").inputValue(), { timeout: 60_000 }).toBe("tandem.local-echo-v1");
    expect(await ada.getByTestId("model-picker").textContent()).toContain("Local test model (not a real model)");
    await ada.getByLabel("Message").fill("What is an **analytical engine**?");
    await ada.getByTestId("send").click();
    await expect.poll(() => ada.getByTestId("message-assistant").last().getAttribute("data-status"), { timeout: 30_000 }).toBe("complete");
    // Markdown is rendered (its renderer is loaded after the page), not shown as asterisks.
    await expect.poll(() => ada.getByTestId("message-assistant").last().textContent(), { timeout: 10_000 }).toContain("You asked: What is an analytical engine? This reply");
    expect(await ada.getByTestId("message-user").last().locator("strong").textContent()).toBe("analytical engine");
    // At 375 px the newest message ends above the pinned composer, in view.
    await expectNewestMessageInView(ada);
    // The local stand-in's reply carries the stand-in's name, never a real model's, and the real
    // models are listed as unavailable with the reason.
    const who = await ada.getByTestId("message-assistant").last().locator(".who").textContent();
    expect(who).toContain("Local test model");
    expect(who).not.toMatch(/Claude|Nova|Llama|Titan|Anthropic|Meta/);
    expect(await ada.getByTestId("models-unavailable").textContent()).toContain("need AWS credentials");
    expect(await ada.locator('[data-testid="model-picker"] option[disabled]').count()).toBeGreaterThan(0);
    await shot(ada, "7-reply");

    const cancelled = bedrock.cancelledStreams();
    await ada.getByLabel("Message").fill("stream 3000 tokens");
    await ada.getByTestId("send").click();
    await expect.poll(async () => (await ada.getByTestId("message-assistant").last().textContent())?.includes("t20 "), { timeout: 30_000 }).toBe(true);
    await ada.getByTestId("stop").click();
    await expect.poll(() => bedrock.cancelledStreams(), { timeout: 15_000 }).toBe(cancelled + 1);
    await expect.poll(() => ada.getByTestId("message-assistant").last().getAttribute("data-status")).toBe("stopped");
    // The view followed the streaming reply down to its end.
    await expectNewestMessageInView(ada);
    await shot(ada, "8-stopped");
    // The stored reply says stopped too, after a reload.
    await ada.reload();
    await expect.poll(() => ada.getByTestId("message-assistant").last().getAttribute("data-status"), { timeout: 30_000 }).toBe("stopped");
    expect((await ada.getByTestId("message-assistant").last().textContent())?.includes("t3000")).toBe(false);

    // A refused file says why, in view above the pinned message box however long the thread is,
    // in words for people (not the API's "The request body is not valid").
    await ada.getByLabel("Attach file").setInputFiles({ name: "tool.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ") });
    const refusal = ada.getByTestId("chat-error");
    await expect.poll(() => refusal.textContent(), { timeout: 30_000 }).toContain("Upload a PDF, Word (DOCX), Markdown, text or HTML file");
    expect(await refusal.textContent()).not.toContain("not valid");
    const seen = await refusal.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight && el.contains(document.elementFromPoint(r.left + 2, r.top + r.height / 2));
    });
    expect(seen).toBe(true);
    await shot(ada, "8b-refused-file");
    await ada.getByRole("button", { name: "Dismiss the message" }).click();

    // A knowledge file: attached (straight to S3 with the presigned POST), read, then cited.
    await ada.getByLabel("Attach file").setInputFiles({
      name: "engine-notes.md",
      mimeType: "text/markdown",
      buffer: Buffer.from("# Engine notes\n\nThe analytical engine stores one thousand numbers of fifty digits in its store.\n\nPunched cards feed the mill."),
    });
    await expect.poll(() => ada.getByTestId("files").textContent(), { timeout: 60_000 }).toContain("engine-notes.md ready");
    await ada.getByLabel("Message").fill("How many numbers does the analytical engine store?");
    await ada.getByTestId("send").click();
    await expect.poll(() => ada.getByTestId("citations").last().textContent(), { timeout: 30_000 }).toContain("[1] engine-notes.md, page 1");
    await ada.getByTestId("citations").last().getByRole("button").first().click();
    expect(await ada.getByTestId("passage").textContent()).toContain("one thousand numbers of fifty digits");
    await shot(ada, "9-citation");

    // An image into the notebook's gallery, shown from its short-lived link.
    await ada.getByText("Images (0)").click();
    await ada.getByLabel("Image description").fill("a brass difference engine");
    await ada.getByTestId("generate-image").click();
    const image = ada.getByTestId("gallery").locator("img").first();
    await expect.poll(() => image.getAttribute("alt"), { timeout: 30_000 }).toBe("a brass difference engine");
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 30_000 }).toBe(64);
    await shot(ada, "10-image");

    // A PDF: its citation opens the viewer at the cited page.
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    pdf.addPage([400, 300]).drawText("Contents and preface.", { x: 40, y: 250, size: 12, font });
    pdf.addPage([400, 300]).drawText("The difference engine weighs fifteen tonnes in brass.", { x: 40, y: 250, size: 12, font });
    await ada.getByLabel("Attach file").setInputFiles({ name: "difference-engine.pdf", mimeType: "application/pdf", buffer: Buffer.from(await pdf.save()) });
    await expect.poll(() => ada.getByTestId("files").textContent(), { timeout: 60_000 }).toContain("difference-engine.pdf ready");
    await ada.getByLabel("Message").fill("How many tonnes does the difference engine weigh?");
    await ada.getByTestId("send").click();
    await expect.poll(() => ada.getByTestId("citations").last().textContent(), { timeout: 30_000 }).toContain("[1] difference-engine.pdf, page 2");
    await ada.getByTestId("citations").last().getByRole("button").first().click();
    const viewerLink = await ada.getByTestId("open-file").getAttribute("href");
    expect(viewerLink).toMatch(/^\/viewer\?file=.*&page=2&name=difference-engine.pdf$/);
    await ada.goto(`${webUrl}${viewerLink}`, { timeout: 120_000 });
    // With PDFJS_EXPRESS_VIEWER_KEY set, PDF.js Express (served from the site) hosts the document.
    await expect.poll(() => ada.getByTestId("pdf-express").locator("iframe").getAttribute("src"), { timeout: 60_000 }).toMatch(/^\/pdfjs-express\/(\.\/)?ui\/index\.html#d=.*files.*content/);
    await shot(ada, "11-viewer");
  }, 420_000);
});
