import { startServer } from "@tandem/api";
import { getConnection } from "@tandem/core/database";
import { signUp, verifyEmail } from "@tandem/core/identity";
import { acceptInvite, createInvite, createOrganisation } from "@tandem/core/tenants";
import { createLocalBuckets, LOCAL_BUCKETS, startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import type { Connection } from "mongoose";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { expectAccessible, launchChromium, shot, signIn, startWebApp, type WebApp } from "./browser.js";

/**
 * Projects in Chromium (issue 12, item 5), against the real API, Bedrock's stand-in and moto's S3:
 * Ann starts a project from the sidebar, writes its instructions, drops a file on its page (upload
 * and reading progress, then ready), adds Bea, starts a notebook in it (grouped under the project
 * in the sidebar) whose reply cites the project's file, and shares the notebook with the project.
 * Bea (375 px, dark) sees the project, its file and the shared notebook read-only, and leaves.
 * Ann deletes the project; the notebook stays hers, out of it. axe on each page; screenshots in
 * artifacts/projects-*.png.
 */
const DATABASE = `${inject("mongodbUri")}/web-projects`;
const ANN = { email: "ann@projects.test", password: "ann projects passphrase", name: "Ann Hopper" };
const BEA = { email: "bea@projects.test", password: "bea projects passphrase", name: "Bea Curie" };

let api: Awaited<ReturnType<typeof startServer>>;
let web: WebApp;
let bedrock: BedrockStandIn;
let browser: Browser;
let connection: Connection;
let orgId: string;

async function person(who: typeof ANN): Promise<string> {
  const { account, verifyToken } = await signUp(connection, who);
  await verifyEmail(connection, verifyToken);
  return account.id;
}

beforeAll(async () => {
  bedrock = await startBedrockStandIn({ tokenDelayMs: 2 });
  const aws = inject("awsEnv");
  await createLocalBuckets(aws.AWS_ENDPOINT_URL!);
  connection = await getConnection({ uri: DATABASE });
  await connection.dropDatabase();
  api = await startServer(
    {
      MONGODB_URI: DATABASE,
      SESSION_SECRET: "web-projects-session-secret-0123456789abcdef",
      JWT_SECRET: "web-projects-jwt-secret-0123456789abcdef0123",
      APP_URL: "http://127.0.0.1",
      ...aws,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      KNOWLEDGE_FILES_BUCKET: LOCAL_BUCKETS.KNOWLEDGE_FILES_BUCKET,
      GENERATED_IMAGES_BUCKET: LOCAL_BUCKETS.GENERATED_IMAGES_BUCKET,
      LOG_LEVEL: "silent",
    },
    0,
  );
  const ann = await person(ANN);
  const bea = await person(BEA);
  orgId = (await createOrganisation(connection, ann, { name: "Harbour Works", slug: "harbour-works" })).id;
  const { token } = await createInvite(connection, orgId, { userId: ann, role: "owner" }, { email: BEA.email, role: "member" });
  await acceptInvite(connection, token, bea);
  web = await startWebApp({ apiUrl: api.url, name: "projects" });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  web?.close();
  await api?.close();
  await bedrock?.close();
});

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** Confirms the open confirmation dialog after checking what it says. */
async function confirm(page: Page, says: string) {
  const dialog = page.getByRole("dialog").filter({ has: page.getByTestId("confirm-action") });
  await expect.poll(() => dialog.textContent(), { timeout: 10_000 }).toContain(says);
  await dialog.getByTestId("confirm-action").click();
  await expect.poll(() => page.getByTestId("confirm-action").count(), { timeout: 10_000 }).toBe(0);
}

describe("projects", () => {
  let projectPath = "";
  let notebookPath = "";

  it("Ann (1280 px): starts a project, gives it instructions and a file, adds Bea, chats in a notebook of it and shares it", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
    const page = await signIn(context, web.url, ANN, `/orgs/${orgId}/notebooks`);
    await page.getByTestId("sidebar-new-project").click();
    await page.getByLabel("Project name").waitFor({ timeout: 60_000 });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("name");
    await expectAccessible(page, "projects page");
    await shot(page, "projects", "1280-new");
    await page.getByLabel("Project name").fill("Tide tables");
    await page.getByLabel("Instructions (optional)").fill("Answer as the harbour office would.");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.getByTestId("project-title").waitFor({ timeout: 60_000 });
    projectPath = new URL(page.url()).pathname;
    expect(await page.getByTestId("project-title").textContent()).toBe("Tide tables");
    // The sidebar lists it at once.
    await expect.poll(() => page.getByTestId("sidebar-project-link").allTextContents()).toEqual(["Tide tables"]);

    // Instructions changed and saved.
    await page.getByTestId("project-instructions-input").fill("Answer as the harbour office would, in one short paragraph.");
    await page.getByRole("button", { name: "Save instructions" }).click();
    await expect.poll(() => page.getByTestId("project-note").textContent()).toContain("instructions are saved");

    // A file dropped on the page: its upload and reading progress, then ready.
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(["# Tides\n\nHigh tide at the harbour is at 06:40 on Mondays.\n\nThe ferry waits for high tide."], "tides.md", { type: "text/markdown" }));
      const target = document.querySelector('[data-testid="project-page"]')!;
      for (const type of ["dragenter", "dragover", "drop"]) target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    });
    await expect.poll(() => page.getByTestId("project-files").getByTestId("panel-file").getAttribute("data-status"), { timeout: 30_000 }).toBe("ready");
    expect(await page.getByTestId("project-files").textContent()).toContain("tides.md");

    // Bea added from the organisation's members.
    await page.getByTestId("project-add-member").click();
    await page.getByRole("option", { name: /Bea Curie/ }).click();
    await page.getByTestId("project-add-member-submit").click();
    await expect.poll(() => page.getByTestId("project-member").allTextContents()).toEqual([expect.stringContaining("Ann Hopper"), expect.stringContaining("Bea Curie")]);
    await expectAccessible(page, "project page (owner)");
    await shot(page, "projects", "1280-project");

    // A notebook in the project: grouped under it in the sidebar; its reply cites the project's file.
    await page.getByTestId("project-new-notebook").click();
    await page.getByLabel("Message").waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId("model-picker").inputValue(), { timeout: 60_000 }).toBe("tandem.local-echo-v1");
    notebookPath = new URL(page.url()).pathname;
    await expect.poll(() => page.getByRole("group", { name: "Project Tide tables" }).getByTestId("sidebar-notebook").count(), { timeout: 10_000 }).toBe(1);
    await page.getByLabel("Message").fill("When is high tide at the harbour on Mondays?");
    await page.getByLabel("Message").press("Enter");
    await expect.poll(() => page.getByTestId("message-assistant").last().getAttribute("data-status"), { timeout: 30_000 }).toBe("complete");
    expect(await page.getByTestId("message-assistant").last().textContent()).toContain("[1]");
    const asked = bedrock.requests.filter((r) => r.operation === "converse-stream" && !r.system?.startsWith("Name the conversation") && r.turns?.at(-1)?.includes("high tide at the harbour on Mondays"));
    expect(asked.at(-1)?.system).toContain("Answer as the harbour office would, in one short paragraph.");
    expect(await page.getByTestId("notebook-project").getAttribute("href")).toBe(projectPath);
    await shot(page, "projects", "1280-notebook");

    // Shared with the project, to read.
    await page.getByTestId("share-open").click();
    await page.getByTestId("share-target").click();
    await page.getByRole("option", { name: "Tide tables (project)" }).click();
    await page.getByTestId("share-submit").click();
    await expect.poll(() => page.getByTestId("share-row").allTextContents()).toEqual([expect.stringContaining("Tide tables")]);
    await page.keyboard.press("Escape");
    await context.close();
  }, 400_000);

  it("Bea (375 px, dark): sees the project, its file and the shared notebook read-only, then leaves it", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 }, colorScheme: "dark" });
    const page = await signIn(context, web.url, BEA, projectPath);
    await page.getByTestId("project-title").waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("project-instructions").textContent()).toContain("in one short paragraph");
    await expect.poll(() => page.getByTestId("project-files").textContent(), { timeout: 10_000 }).toContain("tides.md");
    // A member neither adds nor removes files, nor manages members, nor deletes.
    expect(await page.getByTestId("project-files").getByTestId("remove-file").count()).toBe(0);
    expect(await page.getByTestId("project-add-member").count()).toBe(0);
    expect(await page.getByTestId("project-delete").count()).toBe(0);
    const listed = page.getByTestId("project-notebook");
    await expect.poll(() => listed.count()).toBe(1);
    expect(await listed.textContent()).toContain("read only");
    expect(await noSidewaysScroll(page)).toBe(true);
    await expectAccessible(page, "project page (member, dark, 375 px)");
    await shot(page, "projects", "375-member");

    await listed.getByRole("link").click();
    await page.getByTestId("notebook-access").waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("notebook-access").textContent()).toContain("read only");
    expect(await page.getByLabel("Message").count()).toBe(0);

    await page.goto(`${web.url}${projectPath}`);
    await page.getByTestId("project-leave").click();
    await confirm(page, "You will no longer see the project");
    await page.waitForURL(/\/projects$/, { timeout: 30_000 });
    await expect.poll(() => page.getByTestId("no-projects").count(), { timeout: 10_000 }).toBe(1);
    await context.close();
  }, 300_000);

  it("Ann deletes the project; the notebook stays hers, out of any project", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
    const page = await signIn(context, web.url, ANN, projectPath);
    await page.getByTestId("project-delete").click();
    await confirm(page, "The notebooks in it stay their owners'");
    await page.waitForURL(/\/projects$/, { timeout: 30_000 });
    await page.goto(`${web.url}${notebookPath}`);
    await page.getByLabel("Message").waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("notebook-project").count()).toBe(0);
    await expect.poll(() => page.getByRole("group", { name: "Notebooks" }).getByTestId("sidebar-notebook").count()).toBe(1);
    expect(await page.getByTestId("sidebar-project-link").count()).toBe(0);
    await context.close();
  }, 300_000);
});
