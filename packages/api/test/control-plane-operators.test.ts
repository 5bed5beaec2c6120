import type { Server } from "node:http";
import { createOperator } from "@tandem/core/control-plane";
import { resetPassword } from "@tandem/core/identity";
import { startOidcProvider, type LocalOidcProvider } from "@tandem/local";
import getPort from "get-port";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityHarness, type IdentityHarness } from "./helpers.js";

/**
 * Making an operator of an address someone else holds an account for (pre-hijacking): whoever
 * signed up or signed in through a provider with the address, without ever proving the mailbox,
 * must not become the operator. Provider sign-in runs a full login against a real OpenID provider.
 */
let h: IdentityHarness;
let oidc: LocalOidcProvider;
let api: Server;
let appUrl: string;

beforeAll(async () => {
  const port = await getPort({ host: "127.0.0.1" });
  appUrl = `http://127.0.0.1:${port}`;
  oidc = await startOidcProvider([{ clientId: "tandem-okta", clientSecret: "okta-client-secret", redirectUris: [`${appUrl}/api/auth/okta/callback`] }]);
  h = await identityHarness("api-control-plane-operators-test", {
    issuerOverrides: { okta: oidc.issuer },
    source: { APP_URL: appUrl, OKTA_AUDIENCE: "https://acme.okta.example/oauth2/default", OKTA_CLIENT_ID: "tandem-okta", OKTA_CLIENT_SECRET: "okta-client-secret" },
  });
  api = h.app.listen(port, "127.0.0.1");
  await new Promise((r) => api.once("listening", r));
}, 120_000);
afterAll(async () => {
  api?.close();
  await oidc?.close();
  await h?.close();
});

/** A browser's cookies for the app, with redirects followed by hand. */
class Browser {
  readonly cookies = new Map<string, Map<string, string>>();
  header(url: URL): string {
    return [...(this.cookies.get(url.host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  async go(start: string): Promise<URL> {
    let url = new URL(start);
    for (let i = 0; i < 15; i++) {
      const res = await fetch(url, { redirect: "manual", headers: { cookie: this.header(url) } });
      const jar = this.cookies.get(url.host) ?? new Map<string, string>();
      for (const line of res.headers.getSetCookie()) {
        const [pair, ...attributes] = line.split(";");
        const [name, ...value] = pair!.split("=");
        if (attributes.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim()))) jar.delete(name!.trim());
        else jar.set(name!.trim(), value.join("="));
      }
      this.cookies.set(url.host, jar);
      const location = res.headers.get("location");
      if (res.status < 300 || res.status >= 400 || !location) return url;
      url = new URL(location, url);
      if (url.origin === appUrl && !url.pathname.startsWith("/api/")) return url;
    }
    throw new Error(`too many redirects from ${start}`);
  }
  get(path: string) {
    return request(h.app).get(path).set("cookie", this.header(new URL(appUrl)));
  }
}

describe("making an operator of an address whose account never proved it", () => {
  it("drops the squatter's provider link and sessions: only the mailed link's reader becomes the operator", async () => {
    // Someone signs in through a provider that has not verified the operator-to-be's address.
    const squatter = new Browser();
    oidc.signInAs({ sub: "okta-squatter", email: "boss@example.com", email_verified: false, name: "Not the boss" });
    expect((await squatter.go(`${appUrl}/api/auth/okta`)).pathname).toBe("/");
    expect((await squatter.get("/api/me").expect(200)).body.account).toMatchObject({ email: "boss@example.com", emailVerified: false });

    const { created, token } = await createOperator(await h.deps.database(), "boss@example.com");
    expect(created).toBe(false);

    // The squatter's session does not reach the control plane, and signing in again does not either.
    expect((await squatter.get("/control-plane/clients")).status).toBe(401);
    const again = new Browser();
    await again.go(`${appUrl}/api/auth/okta`);
    expect((await again.get("/control-plane/clients")).status).toBe(401);

    // Whoever reads the mailed link sets the password and is the operator.
    await resetPassword(await h.deps.database(), token, "the boss's long passphrase");
    const boss = request.agent(h.app);
    await boss.post("/api/auth/sign-in").send({ email: "boss@example.com", password: "the boss's long passphrase" }).expect(200);
    await boss.get("/control-plane/clients").expect(200);
    // The squatter's provider login stays refused after that too.
    const later = new Browser();
    await later.go(`${appUrl}/api/auth/okta`);
    expect((await later.get("/control-plane/clients")).status).toBe(401);
  });
});
