import { CONTROL_PLANE_SCOPES, createOperator } from "@tandem/core/control-plane";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityHarness, signInOperator as signInOperatorOf, type IdentityHarness, type SignedIn } from "./helpers.js";

/**
 * The control plane's first part (issue 10, items 1-2): operators, client credentials and the
 * token endpoint (OAuth 2.0), and SBT's tenant reads behind their scopes. Nothing is open: a
 * member's session or API key, a token without the scope, a revoked client are all refused.
 */
let h: IdentityHarness;
let operator: SignedIn;
let member: SignedIn;
let memberKey: string;

const signInOperator = (email: string) => signInOperatorOf(h, email);

async function newClient(scopes: readonly string[]): Promise<{ clientId: string; clientSecret: string }> {
  const res = await operator.agent.post("/control-plane/clients").set("x-csrf-token", operator.csrf).send({ name: `script ${scopes.join(",")}`, scopes }).expect(201);
  expect(res.headers["cache-control"]).toBe("no-store");
  return res.body.data;
}

const token = async (client: { clientId: string; clientSecret: string }, scope?: string) =>
  request(h.app)
    .post("/control-plane/oauth/token")
    .auth(client.clientId, client.clientSecret)
    .type("form")
    .send({ grant_type: "client_credentials", ...(scope ? { scope } : {}) });

beforeAll(async () => {
  h = await identityHarness("api-control-plane-test");
  operator = await signInOperator("operator@tandem.test");
  member = await h.member("member@tandem.test");
  const org = await member.agent.post("/api/orgs").set("x-csrf-token", member.csrf).send({ name: "Harbour Works", slug: "harbour-works" }).expect(201);
  memberKey = (await member.agent.post(`/api/orgs/${org.body.organisation.id}/api-keys`).set("x-csrf-token", member.csrf).send({ name: "cli", scopes: ["read", "write"] }).expect(201)).body.secret;
  for (const name of ["Alpha", "Bravo", "Charlie"]) await member.agent.post("/api/orgs").set("x-csrf-token", member.csrf).send({ name, slug: name.toLowerCase() }).expect(201);
}, 120_000);
afterAll(() => h.close());

describe("operators", () => {
  it("are created by the command's domain function with a set-password link, and an existing account keeps its sign-in", async () => {
    const again = await createOperator(await h.deps.database(), "MEMBER@tandem.test");
    expect(again).toMatchObject({ created: false, account: { email: "member@tandem.test" } });
    // Made an operator, the member may now manage clients in their own session.
    await member.agent.get("/control-plane/clients").expect(200);
  });
});

describe("client credentials", () => {
  it("trade id and secret for a short-lived bearer token with the client's scopes (HTTP Basic or form fields)", async () => {
    const client = await newClient(["tenant/tenant_read"]);
    expect(client.clientId).toMatch(/^tcp_/);
    const res = await token(client);
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toMatchObject({ token_type: "Bearer", expires_in: 900, scope: "tenant/tenant_read" });
    const inBody = await request(h.app).post("/control-plane/oauth/token").type("form").send({ grant_type: "client_credentials", client_id: client.clientId, client_secret: client.clientSecret }).expect(200);
    expect(inBody.body.access_token).toEqual(expect.any(String));
    // The secret is shown once: the list has none.
    const listed = await operator.agent.get("/control-plane/clients").expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(client.clientSecret);
  });

  it("are refused in OAuth's terms: wrong secret, unknown client, other grant, scope beyond the client's", async () => {
    const client = await newClient(["tenant/tenant_read"]);
    const wrong = await token({ ...client, clientSecret: "not-the-secret" });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: "invalid_client" });
    expect(wrong.headers["www-authenticate"]).toContain("Basic");
    expect((await token({ clientId: "tcp_nobody", clientSecret: client.clientSecret })).body).toMatchObject({ error: "invalid_client" });
    const grant = await request(h.app).post("/control-plane/oauth/token").auth(client.clientId, client.clientSecret).type("form").send({ grant_type: "password" });
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe("unsupported_grant_type");
    const twice = await request(h.app).post("/control-plane/oauth/token").auth(client.clientId, client.clientSecret).type("form").send({ grant_type: "client_credentials", client_id: client.clientId, client_secret: client.clientSecret });
    expect(twice.status).toBe(400);
    expect(twice.body.error).toBe("invalid_request");
    const scope = await token(client, "tenant/tenant_read tenant/tenant_write");
    expect(scope.status).toBe(400);
    expect(scope.body.error).toBe("invalid_scope");
  });

  it("stop working at once when revoked: no new token, and tokens already issued are refused", async () => {
    const client = await newClient(["tenant/tenant_read"]);
    const bearer = (await token(client)).body.access_token as string;
    await request(h.app).get("/control-plane/tenants").set("authorization", `Bearer ${bearer}`).expect(200);
    await operator.agent.delete(`/control-plane/clients/${client.clientId}`).set("x-csrf-token", operator.csrf).expect(204);
    expect((await token(client)).status).toBe(401);
    const refused = await request(h.app).get("/control-plane/tenants").set("authorization", `Bearer ${bearer}`).expect(401);
    expect(refused.body.code).toBe("control_plane.client_revoked");
  });
});

describe("who may call what", () => {
  it("lets only the right scope or an operator's session through; members' sessions, API keys and forged tokens are refused", async () => {
    const tokens = new Map<string, string>();
    for (const scope of CONTROL_PLANE_SCOPES) tokens.set(scope, (await token(await newClient([scope]))).body.access_token);
    const reads = ["/control-plane/tenants", `/control-plane/tenants/${"0".repeat(24)}`];
    for (const path of reads) {
      for (const [scope, bearer] of tokens) {
        const res = await request(h.app).get(path).set("authorization", `Bearer ${bearer}`);
        if (scope === "tenant/tenant_read") expect([200, 404], `${scope} ${path}`).toContain(res.status);
        else expect(res.status, `${scope} ${path}`).toBe(403);
      }
      expect((await request(h.app).get(path)).status, `nobody ${path}`).toBe(401);
      expect((await request(h.app).get(path).set("authorization", `Bearer ${memberKey}`)).status, `API key ${path}`).toBe(401);
      expect((await request(h.app).get(path).set("authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzY29wZSI6InRlbmFudC90ZW5hbnRfcmVhZCJ9.")).status, `forged ${path}`).toBe(401);
    }
    // Managing clients is for an operator's own session, never for a client's token.
    expect((await request(h.app).get("/control-plane/clients").set("authorization", `Bearer ${tokens.get("tenant/tenant_write")}`)).status).toBe(403);
    expect((await request(h.app).post("/control-plane/clients").set("authorization", `Bearer ${tokens.get("tenant/tenant_write")}`).send({ name: "x", scopes: ["tenant/tenant_read"] })).status).toBe(403);
    // An operator's cookie write without the anti-forgery token is refused.
    expect((await operator.agent.post("/control-plane/clients").send({ name: "x", scopes: ["tenant/tenant_read"] })).status).toBe(403);
  });

  it("refuses an ordinary member's session", async () => {
    const plain = await h.member("plain@tandem.test");
    const res = await plain.agent.get("/control-plane/tenants").expect(403);
    expect(res.body.code).toBe("control_plane.not_operator");
  });
});

describe("SBT's tenant reads", () => {
  it("list every organisation a page at a time as SBT shapes them ({ data, next_start_key }), and read one", async () => {
    const bearer = (await token(await newClient(["tenant/tenant_read"]))).body.access_token as string;
    const get = (path: string) => request(h.app).get(path).set("authorization", `Bearer ${bearer}`);
    const first = await get("/control-plane/tenants?limit=2").expect(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.data[0]).toMatchObject({ tenantId: expect.any(String), tenantName: expect.any(String), tenantStatus: "created", isActive: true });
    const seen = [...first.body.data];
    let next = first.body.next_start_key as string | undefined;
    while (next) {
      const page = await get(`/control-plane/tenants?limit=2&start_key=${next}`).expect(200);
      seen.push(...page.body.data);
      next = page.body.next_start_key;
    }
    expect(seen.map((t: { tenantName: string }) => t.tenantName).sort()).toEqual(["Alpha", "Bravo", "Charlie", "Harbour Works"]);
    const one = await get(`/control-plane/tenants/${seen[0].tenantId}`).expect(200);
    expect(one.body.data).toEqual(seen[0]);
    expect((await get(`/control-plane/tenants/${"f".repeat(24)}`)).status).toBe(404);
    expect((await get("/control-plane/tenants?limit=1000")).status).toBe(400);
  });
});

describe("CORS", () => {
  it("answers the app's own origin and no other", async () => {
    const own = await request(h.app).options("/control-plane/tenants").set("origin", "http://app.tandem.test").set("access-control-request-method", "GET").expect(204);
    expect(own.headers["access-control-allow-origin"]).toBe("http://app.tandem.test");
    expect(own.headers["access-control-allow-credentials"]).toBe("true");
    const other = await request(h.app).options("/control-plane/tenants").set("origin", "https://evil.example").set("access-control-request-method", "GET").expect(204);
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    const read = await operator.agent.get("/control-plane/tenants").set("origin", "https://evil.example").expect(200);
    expect(read.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

