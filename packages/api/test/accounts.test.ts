import { Problem, SignUpResponse } from "@tandem/client/contract";
import type { MailCatcher } from "@tandem/local";
type ParsedMail = Awaited<ReturnType<MailCatcher["waitFor"]>>;
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityHarness, type IdentityHarness } from "./helpers.js";

let h: IdentityHarness;
let mail: MailCatcher;
let app: IdentityHarness["app"];

beforeAll(async () => {
  h = await identityHarness("api-accounts-test", { source: { APP_URL: "https://app.tandem.test/" } });
  ({ mail, app } = h);
});
afterAll(() => h.close());

/** The token of the link in a mail, read from its text part as a person would click it. */
function tokenIn(message: ParsedMail, path: string): string {
  const match = new RegExp(`https://app\\.tandem\\.test${path}\\?token=([\\w%-]+)`).exec(message.text ?? "");
  expect(match, `no ${path} link in: ${message.text}`).not.toBeNull();
  return decodeURIComponent(match![1]!);
}

describe("sign-up and verification by mail", () => {
  it("signs up, mails a verification link, and the link verifies the address once", async () => {
    const since = mail.received.length;
    const res = await request(app).post("/api/accounts").send({ email: "Lin@Example.com", name: "Lin", password: "a long enough passphrase" }).expect(201);
    expect(SignUpResponse.parse(res.body)).toMatchObject({ account: { email: "lin@example.com", emailVerified: false }, verificationMailSent: true });

    const message = await mail.waitFor("lin@example.com", since);
    expect(message.subject).toBe("Confirm your email address for Tandem");
    expect(message.replyTo?.text).toBe("help@tandem.test");
    const token = tokenIn(message, "/verify-email");

    const verified = await request(app).post("/api/accounts/verify-email").send({ token }).expect(200);
    expect(verified.body.account.emailVerified).toBe(true);
    const again = await request(app).post("/api/accounts/verify-email").send({ token }).expect(401);
    expect(Problem.parse(again.body).code).toBe("account.verify_link_invalid");
  });

  it("answers a taken address with 409 and weak input with 400 naming each field", async () => {
    await request(app).post("/api/accounts").send({ email: "lin@example.com", name: "Lin", password: "a long enough passphrase" }).expect(409);
    const bad = await request(app).post("/api/accounts").send({ email: "lin", name: "", password: "short" }).expect(400);
    expect(Problem.parse(bad.body).issues?.map((i) => i.name).sort()).toEqual(["email", "name", "password"]);
  });

  it("refuses a mongo operator in the body with 400 instead of evaluating it", async () => {
    const res = await request(app).post("/api/accounts/password-reset").send({ email: { $gt: "" } }).expect(400);
    expect(Problem.parse(res.body).code).toBe("request.invalid");
  });
});

describe("password reset by mail", () => {
  it("mails a reset link that sets a new password once, and answers unknown addresses the same", async () => {
    const unknown = await request(app).post("/api/accounts/password-reset").send({ email: "ghost@example.com" }).expect(202);
    const since = mail.received.length;
    const known = await request(app).post("/api/accounts/password-reset").send({ email: "LIN@example.com" }).expect(202);
    expect(known.body).toEqual(unknown.body);

    const token = tokenIn(await mail.waitFor("lin@example.com", since), "/reset-password");
    await request(app).post("/api/accounts/password-reset/confirm").send({ token, password: "an entirely new passphrase" }).expect(200);
    await request(app).post("/api/accounts/password-reset/confirm").send({ token, password: "and yet another one" }).expect(401);
    expect(mail.received.slice(since).filter((m) => m.text?.includes("ghost@example.com"))).toHaveLength(0);
  });
});
