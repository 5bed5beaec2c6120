import { Problem } from "@tandem/client/contract";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityHarness, linkToken, setCookie, type IdentityHarness } from "./helpers.js";

/** Issue 8 item 12 over HTTP: names refuse control / text-direction characters; emails are normalised everywhere. */
let h: IdentityHarness;
let ada: { agent: ReturnType<typeof request.agent>; csrf: string; password: string };
let orgId: string;

beforeAll(async () => {
  h = await identityHarness("api-input-hygiene-test");
  // Signs up with a shouted, padded address; the mail goes to, and sign-in uses, the normal form.
  const password = "a long enough passphrase";
  await request(h.app).post("/api/accounts").send({ email: "  Ada.Hygiene@Example.COM ", name: "Ada", password }).expect(201);
  const token = linkToken(await h.mail.waitFor("ada.hygiene@example.com"), "/verify-email", h.deps.appUrl);
  await request(h.app).post("/api/accounts/verify-email").send({ token }).expect(200);
  const agent = request.agent(h.app);
  const signIn = await agent.post("/api/auth/sign-in").send({ email: "ada.hygiene@example.com", password }).expect(200);
  ada = { agent, csrf: setCookie(signIn, "tandem_csrf")!, password };
  orgId = (await ada.agent.post("/api/orgs").set("x-csrf-token", ada.csrf).send({ name: "Hygiene Co", slug: "hygiene-co" }).expect(201)).body.organisation.id;
});
afterAll(() => h?.close());

const refused = (res: { status: number; body: unknown }, field: string, text: string) => {
  expect(res.status).toBe(400);
  const problem = Problem.parse(res.body);
  expect(problem.issues?.map((i) => i.name)).toContain(field);
  expect(problem.detail).toContain(text);
};

describe("names and titles", () => {
  it("refuses NUL, control and text-direction characters with a message naming the field", async () => {
    const write = (method: "post" | "patch", path: string) => ada.agent[method](path).set("x-csrf-token", ada.csrf);
    refused(await request(h.app).post("/api/accounts").send({ email: "eve@example.com", name: "Eve\u0000", password: "a long enough passphrase" }), "name", "The name contains a NUL character (U+0000)");
    refused(await write("patch", "/api/me").send({ name: "Ada\u202Egnirts" }), "name", "The name contains a text-direction character (U+202E)");
    refused(await write("post", "/api/orgs").send({ name: "Evil\u0007Co", slug: "evil-co" }), "name", "The organisation name contains a control character (U+0007)");
    refused(await write("patch", `/api/orgs/${orgId}`).send({ name: "Two\nLines" }), "name", "The organisation name contains a line break (U+000A)");
    refused(await write("post", `/api/orgs/${orgId}/notebooks`).send({ title: "Plan\u2066B" }), "title", "The notebook title contains a text-direction character (U+2066)");
    refused(await write("post", `/api/orgs/${orgId}/api-keys`).send({ name: "nightly\texport" }), "name", "The API key name contains a tab (U+0009)");
  });

  it("keeps line breaks and tabs in a system prompt, and refuses its other control characters", async () => {
    const notebooks = `/api/orgs/${orgId}/notebooks`;
    const created = await ada.agent.post(notebooks).set("x-csrf-token", ada.csrf).send({ title: "Prompted", systemPrompt: "Be brief.\n\tCite sources." }).expect(201);
    expect(created.body.notebook.systemPrompt).toBe("Be brief.\n\tCite sources.");
    refused(await ada.agent.post(notebooks).set("x-csrf-token", ada.csrf).send({ systemPrompt: "x\u0000" }), "systemPrompt", "The system prompt contains a NUL character");
  });
});

describe("emails", () => {
  it("were stored NFC, trimmed and lower-cased at sign-up, and sign-in finds them in any case", async () => {
    const me = await ada.agent.get("/api/me").expect(200);
    expect(me.body.account.email).toBe("ada.hygiene@example.com");
    await request(h.app).post("/api/auth/sign-in").send({ email: "ADA.HYGIENE@example.com", password: ada.password }).expect(200);
    // A second sign-up with another spelling of the same address is the same account.
    await request(h.app).post("/api/accounts").send({ email: "Ada.Hygiene@EXAMPLE.com", name: "Ada again", password: "a long enough passphrase" }).expect(409);
  });

  it("reset and invitations normalise the address they are given", async () => {
    const since = h.mail.received.length;
    await request(h.app).post("/api/accounts/password-reset").send({ email: " ADA.Hygiene@Example.com" }).expect(202);
    const reset = await h.mail.waitFor("ada.hygiene@example.com", since);
    expect(reset.subject).toBeTruthy();
    const invite = await ada.agent.post(`/api/orgs/${orgId}/invites`).set("x-csrf-token", ada.csrf).send({ email: "  Bob@Example.ORG" }).expect(201);
    expect(invite.body.invite.email).toBe("bob@example.org");
  });

  it("refuses what is not an address, saying what to enter", async () => {
    refused(await request(h.app).post("/api/accounts/verify-email/resend").send({ email: "not an address" }), "email", "Enter an email address such as ada@example.com.");
  });
});
