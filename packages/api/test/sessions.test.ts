import { createTandemClient, MeResponse, Problem, TandemApiError } from "@tandem/client";
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from "@tandem/core/identity";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { createDeps } from "../src/context.js";
import { capturedLogger, identityHarness, linkToken, setCookie, TEST_SECRETS, type IdentityHarness } from "./helpers.js";

let h: IdentityHarness;

beforeAll(async () => {
  h = await identityHarness("api-sessions-test");
});
afterAll(() => h.close());

describe("browser sessions in cookies", () => {
  it("signs in into http-only access and refresh cookies plus a readable anti-forgery cookie", async () => {
    await h.member("ada@example.com", "Ada");
    // Served over https, as every deployed stage is: the cookies are Secure.
    const https = createApp(createDeps({ ...h.source, APP_URL: "https://app.tandem.test" }, capturedLogger().logger));
    const res = await request(https).post("/api/auth/sign-in").send({ email: "ada@example.com", password: "a long enough passphrase" }).expect(200);
    const cookies = (res.headers["set-cookie"] as unknown as string[]).join("\n");
    expect(cookies).toMatch(/tandem_access=[^;]+; Max-Age=900; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax/);
    expect(cookies).toMatch(/tandem_refresh=[^;]+; Path=\/api; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax/);
    expect(cookies).toMatch(/tandem_csrf=[^;]+; Path=\/; Expires=[^;]+; Secure; SameSite=Lax/);
    expect(cookies).not.toMatch(/tandem_csrf=[^\n]*HttpOnly/);
  });

  it("knows the signed-in user from the cookies, and nobody without them", async () => {
    const ada = await h.member("ada2@example.com", "Ada Two");
    const me = MeResponse.parse((await ada.agent.get("/api/me").expect(200)).body);
    expect(me).toMatchObject({ account: { email: "ada2@example.com", emailVerified: true, hasPassword: true }, organisations: [], authenticatedWith: "cookie" });
    const anonymous = await request(h.app).get("/api/me").expect(401);
    expect(Problem.parse(anonymous.body).code).toBe("auth.required");
  });

  it("keeps the theme the user chose on the account, with the operator's DEFAULT_THEME until then", async () => {
    const lin = await h.member("theme-lin@example.com", "Lin");
    const fresh = MeResponse.parse((await lin.agent.get("/api/me").expect(200)).body);
    expect(fresh.account.theme).toBeNull();
    expect(fresh.defaultTheme).toBe("system");
    await lin.agent.patch("/api/me").set("x-csrf-token", lin.csrf).send({ theme: "dark" }).expect(200);
    expect(MeResponse.parse((await lin.agent.get("/api/me").expect(200)).body).account.theme).toBe("dark");
    await lin.agent.patch("/api/me").set("x-csrf-token", lin.csrf).send({ theme: "purple" }).expect(400);
    await lin.agent.patch("/api/me").set("x-csrf-token", lin.csrf).send({ theme: null }).expect(200);
    expect(MeResponse.parse((await lin.agent.get("/api/me").expect(200)).body).account.theme).toBeNull();
    // The operator's default: DEFAULT_THEME=dark.
    const dark = createApp(createDeps({ ...h.source, DEFAULT_THEME: "dark" }, capturedLogger().logger));
    const agent = request.agent(dark);
    await agent.post("/api/auth/sign-in").send({ email: lin.email, password: lin.password }).expect(200);
    expect(MeResponse.parse((await agent.get("/api/me").expect(200)).body)).toMatchObject({ account: { theme: null }, defaultTheme: "dark" });
  });

  it("refuses a cookie-authenticated write without the anti-forgery header, and takes it with", async () => {
    const grace = await h.member("grace@example.com", "Grace");
    const forged = await grace.agent.post("/api/orgs").send({ name: "Evil", slug: "evil" }).expect(403);
    expect(Problem.parse(forged.body)).toMatchObject({ code: "auth.csrf_invalid" });
    await grace.agent.post("/api/orgs").set("x-csrf-token", "made-up").send({ name: "Evil", slug: "evil" }).expect(403);
    await grace.agent.post("/api/orgs").set("x-csrf-token", grace.csrf).send({ name: "Grace Labs", slug: "grace-labs" }).expect(201);
  });

  it("renews an expired access cookie from the refresh cookie without the user noticing", async () => {
    const lin = await h.member("lin@example.com", "Lin");
    const signIn = await request(h.app).post("/api/auth/sign-in").send({ email: lin.email, password: lin.password }).expect(200);
    const refresh = setCookie(signIn, "tandem_refresh")!;
    // Only the refresh cookie, as after the access cookie's 15 minutes.
    const res = await request(h.app).get("/api/me").set("cookie", `tandem_refresh=${encodeURIComponent(refresh)}`).expect(200);
    expect(res.body.account.email).toBe("lin@example.com");
    expect(setCookie(res, "tandem_access")).toBeTruthy();
    expect(setCookie(res, "tandem_refresh")).not.toBe(refresh);
  });

  it("refuses a tampered, foreign or expired access token", async () => {
    const lin = await request(h.app).post("/api/auth/sign-in").send({ email: "lin@example.com", password: "a long enough passphrase" }).expect(200);
    const access = setCookie(lin, "tandem_access")!;
    await request(h.app).get("/api/me").set("authorization", `Bearer ${access}`).expect(200);

    const [header, payload, signature] = access.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as { sub: string; sid: string };
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: "000000000000000000000000" })).toString("base64url")}.${signature}`;
    expect((await request(h.app).get("/api/me").set("authorization", `Bearer ${tampered}`).expect(401)).body.code).toBe("session.invalid");

    const foreign = await signAccessToken("another-secret-that-is-long-enough-000000", { userId: claims.sub, sessionId: claims.sid });
    await request(h.app).get("/api/me").set("authorization", `Bearer ${foreign}`).expect(401);

    const expired = await signAccessToken(TEST_SECRETS.JWT_SECRET, { userId: claims.sub, sessionId: claims.sid }, new Date(Date.now() - (ACCESS_TOKEN_TTL_SECONDS + 60) * 1000));
    expect((await request(h.app).get("/api/me").set("authorization", `Bearer ${expired}`).expect(401)).body.code).toBe("session.expired");
  });

  it("signs out this device, and everywhere", async () => {
    const kim = await h.member("kim@example.com", "Kim");
    const phone = request.agent(h.app);
    const phoneSignIn = await phone.post("/api/auth/sign-in").send({ email: kim.email, password: kim.password }).expect(200);
    const phoneAccess = setCookie(phoneSignIn, "tandem_access")!;

    await kim.agent.post("/api/auth/sign-out-everywhere").set("x-csrf-token", kim.csrf).expect(204);
    await kim.agent.get("/api/me").expect(401);
    // The other device is out at once, its unexpired access token included.
    await phone.get("/api/me").expect(401);
    await request(h.app).get("/api/me").set("authorization", `Bearer ${phoneAccess}`).expect(401);

    const again = await h.member("kim2@example.com", "Kim Two");
    await again.agent.post("/api/auth/sign-out").set("x-csrf-token", again.csrf).expect(204);
    await again.agent.get("/api/me").expect(401);
  });
});

describe("sign-in protection", () => {
  it("refuses a mongo operator in the login body with 400 instead of evaluating it", async () => {
    const res = await request(h.app).post("/api/auth/sign-in").send({ email: { $gt: "" }, password: { $gt: "" } }).expect(400);
    expect(Problem.parse(res.body).code).toBe("request.invalid");
  });

  it("locks an account out after five wrong passwords and says when to retry", async () => {
    const target = await h.member("target@example.com", "Target");
    for (let i = 0; i < 5; i++) {
      await request(h.app).post("/api/auth/sign-in").send({ email: target.email, password: `wrong guess ${i}` }).expect(401);
    }
    const locked = await request(h.app).post("/api/auth/sign-in").send({ email: target.email, password: target.password }).expect(429);
    expect(Problem.parse(locked.body)).toMatchObject({ code: "auth.locked_out" });
    expect(locked.body.detail).toMatch(/Try again in 15 minutes \(at \d\d:\d\d UTC\)/);
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(14 * 60);
    // Other accounts are not affected.
    await request(h.app).post("/api/auth/sign-in").send({ email: "lin@example.com", password: "a long enough passphrase" }).expect(200);
  });

  it("asks an unconfirmed account to open its mail instead of signing in, and resends the link", async () => {
    await request(h.app).post("/api/accounts").send({ email: "new@example.com", name: "New", password: "a long enough passphrase" }).expect(201);
    const res = await request(h.app).post("/api/auth/sign-in").send({ email: "new@example.com", password: "a long enough passphrase" }).expect(403);
    expect(res.body.code).toBe("account.unverified");
    const since = h.mail.received.length;
    await request(h.app).post("/api/accounts/verify-email/resend").send({ email: "new@example.com" }).expect(202);
    const token = linkToken(await h.mail.waitFor("new@example.com", since), "/verify-email");
    await request(h.app).post("/api/accounts/verify-email").send({ token }).expect(200);
    await request(h.app).post("/api/auth/sign-in").send({ email: "new@example.com", password: "a long enough passphrase" }).expect(200);
  });
});

describe("account settings", () => {
  it("changes the password, ending other sessions but keeping this device signed in", async () => {
    const sam = await h.member("sam@example.com", "Sam");
    const laptop = request.agent(h.app);
    await laptop.post("/api/auth/sign-in").send({ email: sam.email, password: sam.password }).expect(200);

    const wrong = await sam.agent.post("/api/me/password").set("x-csrf-token", sam.csrf).send({ currentPassword: "not it at all", newPassword: "a brand new passphrase" }).expect(400);
    expect(wrong.body.code).toBe("account.wrong_password");
    const changed = await sam.agent.post("/api/me/password").set("x-csrf-token", sam.csrf).send({ currentPassword: sam.password, newPassword: "a brand new passphrase" }).expect(200);
    await sam.agent.get("/api/me").expect(200);
    await laptop.get("/api/me").expect(401);
    expect(setCookie(changed, "tandem_csrf")).toBeTruthy();
    await request(h.app).post("/api/auth/sign-in").send({ email: sam.email, password: sam.password }).expect(401);
    await request(h.app).post("/api/auth/sign-in").send({ email: sam.email, password: "a brand new passphrase" }).expect(200);
  });

  it("changes the email only once the new address's link is opened", async () => {
    const pat = await h.member("pat@example.com", "Pat");
    const since = h.mail.received.length;
    await pat.agent.post("/api/me/email").set("x-csrf-token", pat.csrf).send({ email: "lin@example.com", password: pat.password }).expect(409);
    await pat.agent.post("/api/me/email").set("x-csrf-token", pat.csrf).send({ email: "Pat.New@example.com", password: pat.password }).expect(202);
    expect((await pat.agent.get("/api/me").expect(200)).body.account.email).toBe("pat@example.com");
    const message = await h.mail.waitFor("pat.new@example.com", since);
    expect(message.subject).toBe("Confirm your new email address for Tandem");
    const token = linkToken(message, "/confirm-email");
    await request(h.app).post("/api/accounts/email-change/confirm").send({ token }).expect(200);
    expect((await pat.agent.get("/api/me").expect(200)).body.account.email).toBe("pat.new@example.com");
    await request(h.app).post("/api/accounts/email-change/confirm").send({ token }).expect(401);
  });
});

describe("personal API keys through @tandem/client", () => {
  it("creates a key shown once, uses it with its scopes, and stops it at once when revoked", async () => {
    const eve = await h.member("eve@example.com", "Eve");
    const org = (await eve.agent.post("/api/orgs").set("x-csrf-token", eve.csrf).send({ name: "Eve Corp", slug: "eve-corp" }).expect(201)).body.organisation as { id: string };
    const created = await eve.agent.post(`/api/orgs/${org.id}/api-keys`).set("x-csrf-token", eve.csrf).send({ name: "nightly export", scopes: ["read"] }).expect(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^tdm_[\w-]{43}$/);
    const listed = await eve.agent.get(`/api/orgs/${org.id}/api-keys`).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.apiKeys[0]).toMatchObject({ name: "nightly export", scopes: ["read"], hint: secret.slice(0, 10) });

    // The real client against the real server.
    const server = h.app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const address = server.address() as { port: number };
    try {
      const client = createTandemClient({ baseUrl: `http://127.0.0.1:${address.port}`, token: secret });
      expect((await client.me()).authenticatedWith).toBe("api_key");
      expect((await client.members(org.id)).map((m) => m.email)).toEqual(["eve@example.com"]);
      // read scope only: no writes.
      const write = await client.invite(org.id, "friend@example.com").catch((e: unknown) => e);
      expect(write).toBeInstanceOf(TandemApiError);
      expect((write as TandemApiError).problem?.code).toBe("api_key.scope_missing");
      // A key cannot make keys or change the account.
      await request(h.app).post("/api/me/password").set("authorization", `Bearer ${secret}`).send({}).expect(403);

      await eve.agent.delete(`/api/orgs/${org.id}/api-keys/${created.body.apiKey.id}`).set("x-csrf-token", eve.csrf).expect(204);
      const revoked = await client.me().catch((e: unknown) => e);
      expect((revoked as TandemApiError).status).toBe(401);
      expect((revoked as TandemApiError).problem?.code).toBe("api_key.invalid");
    } finally {
      server.close();
    }
  });
});
