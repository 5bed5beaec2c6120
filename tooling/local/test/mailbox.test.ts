import { inviteMail, mailerFromConfig } from "@tandem/core/mail";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMailCatcher, type MailCatcher } from "../src/mail-catcher.js";
import { startMailbox, type Mailbox } from "../src/mailbox.js";

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
