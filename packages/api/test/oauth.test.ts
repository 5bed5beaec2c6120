import type { Server } from "node:http";
import { startOidcProvider, type LocalOidcProvider } from "@tandem/local";
import getPort from "get-port";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOperator } from "@tandem/core/control-plane";
import { resetPassword } from "@tandem/core/identity";
import { identityHarness, type IdentityHarness } from "./helpers.js";

/**
 * Google and Okta sign-in complete a full authorization-code login (PKCE, state, nonce) against
 * a real OpenID provider started here; the browser is played by fetch with a cookie jar.
 */
let h: IdentityHarness;
let oidc: LocalOidcProvider;
let api: Server;
let appUrl: string;

beforeAll(async () => {
  const port = await getPort({ host: "127.0.0.1" });
  appUrl = `http://127.0.0.1:${port}`;
  oidc = await startOidcProvider([
    { clientId: "tandem-okta", clientSecret: "okta-client-secret", redirectUris: [`${appUrl}/api/auth/okta/callback`] },
    { clientId: "tandem-google", clientSecret: "google-client-secret", redirectUris: [`${appUrl}/api/auth/google/callback`] },
  ]);
  h = await identityHarness("api-oauth-test", {
    issuerOverrides: { okta: oidc.issuer, google: oidc.issuer },
    source: {
      APP_URL: appUrl,
      OKTA_AUDIENCE: "https://acme.okta.example/oauth2/default",
      OKTA_CLIENT_ID: "tandem-okta",
      OKTA_CLIENT_SECRET: "okta-client-secret",
      GOOGLE_CLIENT_ID: "tandem-google",
      GOOGLE_CLIENT_SECRET: "google-client-secret",
      GITHUB_CLIENT_ID: "Iv1.tandemtest",
      GITHUB_CLIENT_SECRET: "github-client-secret",
      // Operators must come through Okta (only the control plane's test below is concerned).
      OPERATOR_SIGN_IN: "okta",
    },
  });
  api = h.app.listen(port, "127.0.0.1");
  await new Promise((r) => api.once("listening", r));
});
afterAll(async () => {
  api?.close();
  await oidc?.close();
  await h?.close();
});

/** A browser's worth of cookies per host, and redirects followed by hand. */
class Browser {
  readonly cookies = new Map<string, Map<string, string>>();

  cookieHeader(url: URL): string {
    return [...(this.cookies.get(url.host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  /** Follows redirects until a page of the web app (the API's own host, outside /api). */
  async go(start: string, maxHops = 15): Promise<{ url: URL; hops: URL[] }> {
    let url = new URL(start);
    const hops: URL[] = [];
    for (let i = 0; i < maxHops; i++) {
      hops.push(url);
      const res = await fetch(url, { redirect: "manual", headers: { cookie: this.cookieHeader(url) } });
      const jar = this.cookies.get(url.host) ?? new Map<string, string>();
      for (const line of res.headers.getSetCookie()) {
        const [pair, ...attributes] = line.split(";");
        const [name, ...value] = pair!.split("=");
        if (attributes.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim()))) jar.delete(name!.trim());
        else jar.set(name!.trim(), value.join("="));
      }
      this.cookies.set(url.host, jar);
      const location = res.headers.get("location");
      if (res.status < 300 || res.status >= 400 || !location) return { url, hops };
      url = new URL(location, url);
      if (url.origin === appUrl && !url.pathname.startsWith("/api/")) return { url, hops: [...hops, url] };
    }
    throw new Error(`more than ${maxHops} redirects from ${start}`);
  }

  async me(): Promise<request.Response> {
    return request(h.app).get("/api/me").set("cookie", this.cookieHeader(new URL(appUrl)));
  }
}

describe("sign-in with OpenID Connect providers", () => {
  it("lists exactly the configured providers", async () => {
    const res = await request(h.app).get("/api/auth/providers").expect(200);
    expect(res.body.providers.map((p: { id: string }) => p.id)).toEqual(["google", "github", "okta"]);
  });

  it("sends the browser to the provider with state, nonce and a PKCE challenge", async () => {
    const res = await request(h.app).get("/api/auth/okta").expect(302);
    const location = new URL(res.headers.location!);
    expect(location.origin).toBe(oidc.issuer);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: "tandem-okta",
      response_type: "code",
      redirect_uri: `${appUrl}/api/auth/okta/callback`,
      code_challenge_method: "S256",
      scope: "openid email profile",
    });
    expect(location.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(location.searchParams.get("nonce")).toMatch(/^[\w-]{20,}$/);
    expect(location.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    // The verifier and state travel in the signed OAuth cookie, never in the URL.
    expect((res.headers["set-cookie"] as unknown as string[]).join()).toMatch(/tandem_oauth=.*path=\/api\/auth.*httponly/i);
  });

  it("creates an account on a first Okta login and signs it in", async () => {
    const browser = new Browser();
    oidc.signInAs({ sub: "okta-user-1", email: "Quinn@Acme.example", email_verified: true, name: "Quinn" });
    const { url, hops } = await browser.go(`${appUrl}/api/auth/okta`);
    expect(url.href).toBe(`${appUrl}/`);
    expect(hops.some((u) => u.pathname === "/api/auth/okta/callback" && u.searchParams.has("code"))).toBe(true);
    const me = await browser.me();
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ account: { email: "quinn@acme.example", name: "Quinn", emailVerified: true, hasPassword: false }, linkedProviders: ["okta"] });
  });

  it("signs the same provider user into the same account next time", async () => {
    const first = new Browser();
    oidc.signInAs({ sub: "okta-user-1", email: "quinn@acme.example", email_verified: true, name: "Quinn" });
    await first.go(`${appUrl}/api/auth/okta`);
    const second = new Browser();
    await second.go(`${appUrl}/api/auth/okta`);
    expect((await second.me()).body.account.id).toBe((await first.me()).body.account.id);
  });

  it("links Google to an existing password account through a verified email", async () => {
    const rosa = await h.member("rosa@example.com", "Rosa");
    const browser = new Browser();
    oidc.signInAs({ sub: "google-rosa", email: "rosa@example.com", email_verified: true, name: "Rosa G" });
    expect((await browser.go(`${appUrl}/api/auth/google`)).url.pathname).toBe("/");
    const me = await browser.me();
    expect(me.body.account.id).toBe(rosa.userId);
    expect(me.body.linkedProviders).toEqual(["google"]);
    // The password still works: linking added a way in, it took none away.
    await request(h.app).post("/api/auth/sign-in").send({ email: rosa.email, password: rosa.password }).expect(200);
  });

  it("refuses to link through an unverified email, and says why on the sign-in page", async () => {
    const sven = await h.member("sven@example.com", "Sven");
    const browser = new Browser();
    oidc.signInAs({ sub: "google-impostor", email: "sven@example.com", email_verified: false, name: "Not Sven" });
    const { url } = await browser.go(`${appUrl}/api/auth/google`);
    expect(url.pathname).toBe("/sign-in");
    expect(url.searchParams.get("error")).toMatch(/Google has not verified this address/);
    expect((await browser.me()).status).toBe(401);
    await request(h.app).post("/api/auth/sign-in").send({ email: sven.email, password: sven.password }).expect(200);
  });

  it("takes over an unconfirmed password account only with its password dropped", async () => {
    // Someone signed up with Uma's address but never confirmed it (pre-hijacking).
    await request(h.app).post("/api/accounts").send({ email: "uma@example.com", name: "Squatter", password: "squatter's password" }).expect(201);
    const browser = new Browser();
    oidc.signInAs({ sub: "okta-uma", email: "uma@example.com", email_verified: true, name: "Uma" });
    await browser.go(`${appUrl}/api/auth/okta`);
    expect((await browser.me()).body.account).toMatchObject({ email: "uma@example.com", emailVerified: true, hasPassword: false });
    await request(h.app).post("/api/auth/sign-in").send({ email: "uma@example.com", password: "squatter's password" }).expect(401);
  });

  it("refuses a callback whose state does not match the browser's", async () => {
    const victim = new Browser();
    oidc.signInAs({ sub: "okta-user-1", email: "quinn@acme.example", email_verified: true });
    // An attacker starts a login and sends the victim's browser the callback URL.
    const started = await request(h.app).get("/api/auth/okta").expect(302);
    const state = new URL(started.headers.location!).searchParams.get("state");
    const { url } = await victim.go(`${appUrl}/api/auth/okta/callback?code=forged-code&state=${state}`);
    expect(url.pathname).toBe("/sign-in");
    expect(url.searchParams.get("error")).toMatch(/did not complete/);
    expect((await victim.me()).status).toBe(401);
  });

  it("sends GitHub logins to GitHub with state and PKCE", async () => {
    const res = await request(h.app).get("/api/auth/github").expect(302);
    const location = new URL(res.headers.location!);
    expect(`${location.origin}${location.pathname}`).toBe("https://github.com/login/oauth/authorize");
    expect(location.searchParams.get("client_id")).toBe("Iv1.tandemtest");
    expect(location.searchParams.get("redirect_uri")).toBe(`${appUrl}/api/auth/github/callback`);
    expect(location.searchParams.get("state")).toBeTruthy();
    expect(location.searchParams.get("code_challenge_method")).toBe("S256");
  });

  it("with OPERATOR_SIGN_IN=okta, lets an operator into the control plane only from an Okta sign-in", async () => {
    const database = await h.deps.database();
    const okta = new Browser();
    oidc.signInAs({ sub: "okta-operator", email: "ops@acme.example", email_verified: true, name: "Ops" });
    await okta.go(`${appUrl}/api/auth/okta`);
    await createOperator(database, "ops@acme.example");
    const viaOkta = await request(h.app).get("/control-plane/tenants").set("cookie", okta.cookieHeader(new URL(appUrl)));
    expect(viaOkta.status).toBe(200);
    // The same operator with a password: refused there, and told how to get in.
    const { token } = await createOperator(database, "ops@acme.example");
    await resetPassword(database, token, "an operator's long passphrase");
    const agent = request.agent(h.app);
    await agent.post("/api/auth/sign-in").send({ email: "ops@acme.example", password: "an operator's long passphrase" }).expect(200);
    const viaPassword = await agent.get("/control-plane/tenants").expect(403);
    expect(viaPassword.body).toMatchObject({ code: "control_plane.operator_sign_in_required" });
    expect(viaPassword.body.detail).toContain("sign in with Okta");
    // The rest of the app takes the password session as before.
    await agent.get("/api/me").expect(200);
  });

  it("answers 404 for a provider that is not configured", async () => {
    await request(h.app).get("/api/auth/facebook").expect(404);
  });
});
