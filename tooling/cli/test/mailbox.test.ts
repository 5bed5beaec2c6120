import { createServer } from "node:http";
import { inviteMail, mailerFromConfig, verifyEmailMail } from "@tandem/core/mail";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMailbox, startMailCatcher, type Mailbox, type MailCatcher } from "@tandem/local";

let catcher: MailCatcher;
let mailbox: Mailbox;

beforeAll(async () => {
  catcher = await startMailCatcher();
  mailbox = await startMailbox(catcher);
});
afterAll(async () => {
  await mailbox.close();
  await catcher.close();
});

describe("the local inbox of pnpm dev", () => {
  it("lists the mails the app sent and shows each one, with its markup kept inert", async () => {
    expect(await (await fetch(mailbox.url)).text()).toContain("No mail yet.");
    const mailer = mailerFromConfig({ from: "Tandem <no-reply@tandem.test>", supportEmail: "help@tandem.test", smtp: { host: "127.0.0.1", port: catcher.port, username: "mailer", password: "pw" } });
    await mailer.send(inviteMail({ to: "bob@example.com", inviterName: "<script>alert(1)</script>", organisation: "Acme", url: "http://127.0.0.1:3000/invites/accept?token=abc", expiresInDays: 7 }));

    const index = await (await fetch(mailbox.url)).text();
    expect(index).toContain("&lt;script&gt;alert(1)&lt;/script&gt; invited you to Acme on Tandem");
    expect(index).not.toContain("<script>alert(1)");
    expect(index).toContain("to bob@example.com");

    const one = await (await fetch(`${mailbox.url}/messages/0`)).text();
    expect(one).toContain("http://127.0.0.1:3000/invites/accept?token=abc");
    expect(one).toMatch(/<iframe sandbox="[^"]*" src="\/messages\/0\/html"/);
    const html = await fetch(`${mailbox.url}/messages/0/html`);
    expect(await html.text()).toContain('href="http://127.0.0.1:3000/invites/accept?token=abc"');
    expect((await fetch(`${mailbox.url}/messages/9`)).status).toBe(404);
  });
});

describe("a link clicked in the local inbox", () => {
  it("opens the app in a tab of its own, where its scripts run", async () => {
    // Stands in for the web app: a page whose script must run for "Confirming your address..." to finish.
    const app = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>waiting</title><script>document.title = 'confirmed'</script>");
    });
    await new Promise<void>((r) => app.listen(0, "127.0.0.1", () => r()));
    const appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
    try {
      const since = catcher.received.length;
      const mailer = mailerFromConfig({ from: "Tandem <no-reply@tandem.test>", supportEmail: "help@tandem.test", smtp: { host: "127.0.0.1", port: catcher.port, username: "mailer", password: "pw" } });
      await mailer.send(verifyEmailMail({ to: "ann@example.com", name: "Ann", url: `${appUrl}/verify-email?token=abc`, expiresInHours: 48 }));
      await catcher.waitFor("ann@example.com", since);
      const page = await browser.newPage();
      await page.goto(`${mailbox.url}/messages/${since}`);
      const frame = page.frameLocator("iframe");
      const [opened] = await Promise.all([page.context().waitForEvent("page"), frame.locator(`a[href^="${appUrl}"]`).first().click()]);
      await opened.waitForLoadState();
      expect(opened.url()).toBe(`${appUrl}/verify-email?token=abc`);
      await expect.poll(() => opened.title()).toBe("confirmed");
      // The text part's link is clickable too.
      expect(await page.locator(`pre a[href="${appUrl}/verify-email?token=abc"]`).count()).toBe(1);
    } finally {
      await browser.close();
      await new Promise((r) => app.close(r));
    }
  });
});
