import { GetSendQuotaCommand, SESClient, VerifyEmailIdentityCommand } from "@aws-sdk/client-ses";
import { startMailCatcher, type MailCatcher } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createMailer, inviteMail, MailDeliveryError, mailerFromConfig, resetPasswordMail, sesTransport, smtpTransport, verifyEmailMail } from "../src/mail/index.js";

const FROM = "Tandem <no-reply@example.com>";
const SUPPORT = "support@example.com";

describe("SMTP mail", () => {
  let smtp: MailCatcher;
  beforeAll(async () => {
    smtp = await startMailCatcher();
  });
  afterAll(() => smtp.close());

  const mailer = (failures: string[] = []) =>
    mailerFromConfig(
      { from: FROM, supportEmail: SUPPORT, smtp: { host: "127.0.0.1", port: smtp.port, username: "mailer", password: "pw" } },
      { onFailure: (f) => failures.push(`${f.attempt}:${f.transient}`) },
    );

  it("delivers the verify mail in HTML and text, from MAIL_FROM with SUPPORT_EMAIL as reply-to", async () => {
    const url = "https://app.example.com/verify?token=abc123";
    const sent = await mailer().send(verifyEmailMail({ to: "ada@example.com", name: "Ada <Lovelace>", url, expiresInHours: 24 }));
    expect(sent).toMatchObject({ attempts: 1, transport: "smtp" });
    const mail = smtp.received.at(-1)!;
    expect(mail.from?.text).toBe('"Tandem" <no-reply@example.com>');
    expect(mail.replyTo?.text).toBe(SUPPORT);
    expect(mail.subject).toBe("Confirm your email address for Tandem");
    expect(mail.text).toContain(url);
    expect(mail.html).toContain('href="https://app.example.com/verify?token=abc123"');
    // Names are escaped, never rendered as markup.
    expect(mail.html).toContain("Ada &lt;Lovelace&gt;");
  });

  it("retries a temporary refusal and then delivers", async () => {
    smtp.refuseNext({ code: 451, message: "Try again later" });
    const failures: string[] = [];
    const before = smtp.received.length;
    const sent = await createMailer({
      transport: smtpTransport({ host: "127.0.0.1", port: smtp.port, username: "mailer", password: "pw" }),
      from: FROM,
      replyTo: SUPPORT,
      backoffMs: 10,
      onFailure: (f) => failures.push(`${f.attempt}:${f.transient}`),
    }).send(resetPasswordMail({ to: "bob@example.com", name: "Bob", url: "https://app.example.com/reset?t=1", expiresInMinutes: 30 }));
    expect(sent.attempts).toBe(2);
    expect(failures).toEqual(["1:true"]);
    expect(smtp.received.length).toBe(before + 1);
  });

  it("reports a permanent refusal at once, with what to check, instead of dropping the mail", async () => {
    smtp.refuseNext({ code: 550, message: "Mailbox unavailable" });
    const failures: string[] = [];
    const error = await mailer(failures)
      .send(inviteMail({ to: "eve@example.com", inviterName: "Ada", organisation: "Acme", url: "https://app.example.com/invite/x", expiresInDays: 7 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect((error as Error).message).toMatch(/Acme.*eve@example.com could not be sent: .*550.*Check the mail settings/s);
    expect(failures).toEqual(["1:false"]);
  });

  it("gives up after three tries when the server stays unreachable", async () => {
    const failures: string[] = [];
    const error = await createMailer({
      transport: smtpTransport({ host: "127.0.0.1", port: 9, username: "mailer", password: "pw" }),
      from: FROM,
      replyTo: SUPPORT,
      backoffMs: 5,
      onFailure: (f) => failures.push(`${f.attempt}:${f.transient}`),
    })
      .send(verifyEmailMail({ to: "ada@example.com", name: "Ada", url: "https://x/y", expiresInHours: 1 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect((error as Error).message).toContain("after 3 tries");
    expect(failures).toEqual(["1:true", "2:true", "3:true"]);
  });
});

describe("SES mail (moto)", () => {
  const aws = () => inject("awsEnv");
  const ses = () =>
    new SESClient({
      endpoint: aws().AWS_ENDPOINT_URL,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });

  it("sends through the SES API from a verified sender", async () => {
    const client = ses();
    await client.send(new VerifyEmailIdentityCommand({ EmailAddress: "no-reply@tandem.test" }));
    const before = (await client.send(new GetSendQuotaCommand({}))).SentLast24Hours ?? 0;
    const sent = await createMailer({ transport: sesTransport({ client }), from: "Tandem <no-reply@tandem.test>", replyTo: SUPPORT }).send(
      verifyEmailMail({ to: "ada@example.com", name: "Ada", url: "https://app.example.com/verify?t=1", expiresInHours: 24 }),
    );
    expect(sent).toMatchObject({ attempts: 1, transport: "ses" });
    expect(sent.messageId).not.toBe("");
    expect((await client.send(new GetSendQuotaCommand({}))).SentLast24Hours).toBe(before + 1);
  });

  it("does not retry an unverified sender and says what to check", async () => {
    const failures: string[] = [];
    const error = await createMailer({
      transport: sesTransport({ client: ses() }),
      from: "Tandem <nobody@unverified.test>",
      replyTo: SUPPORT,
      onFailure: (f) => failures.push(`${f.attempt}:${f.transient}`),
    })
      .send(verifyEmailMail({ to: "ada@example.com", name: "Ada", url: "https://x/y", expiresInHours: 1 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect((error as Error).message).toContain("MAIL_FROM verified in SES");
    expect(failures).toEqual(["1:false"]);
  });
});
