import { CONTROL_PLANE_SCOPES, type ControlPlaneScope } from "@tandem/core/control-plane";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRoutes, identityHarness, type IdentityHarness, type SignedIn, clientToken, signInOperator } from "./helpers.js";

/**
 * The scope matrix: every control-plane route (read from the app's router, so a route added
 * without an entry here fails) × a token of every scope, no credentials, an operator's session,
 * an ordinary member's session and a member's API key. Only the route's scope (or an operator's
 * session) gets past the check; routes that manage operators and clients take only an operator's
 * session. What a passing call then answers (400 for an empty body, 404 for an unknown id) is the
 * route's business; here it must not be 401 or 403.
 */
const OPERATOR_ONLY = "operator session";
const EXPECTED: Record<string, ControlPlaneScope | typeof OPERATOR_ONLY | "public"> = {
  "post /control-plane/oauth/token": "public",
  "get /control-plane/openapi.json": "public",
  "get /control-plane/tenants": "tenant/tenant_read",
  "get /control-plane/tenants/:tenantId": "tenant/tenant_read",
  "post /control-plane/tenants": "tenant/tenant_write",
  "put /control-plane/tenants/:tenantId": "tenant/tenant_write",
  "delete /control-plane/tenants/:tenantId": "tenant/tenant_write",
  "put /control-plane/tenants/:tenantId/activate": "tenant/tenant_write",
  "put /control-plane/tenants/:tenantId/deactivate": "tenant/tenant_write",
  "post /control-plane/tenants/:tenantId/retry": "tenant/tenant_write",
  "post /control-plane/tenant-registrations": "tenant/tenant_write",
  "get /control-plane/tenant-registrations": "tenant/tenant_read",
  "get /control-plane/tenant-registrations/:registrationId": "tenant/tenant_read",
  "patch /control-plane/tenant-registrations/:registrationId": "tenant/tenant_write",
  "delete /control-plane/tenant-registrations/:registrationId": "tenant/tenant_write",
  "get /control-plane/tenant-config": "tenant/tenant_read",
  "get /control-plane/tiers": "tenant/tenant_read",
  "get /control-plane/tiers/:tierName": "tenant/tenant_read",
  "put /control-plane/tiers/:tierName": "tenant/tenant_write",
  "post /control-plane/users": "user/user_write",
  "get /control-plane/users": "user/user_read",
  "get /control-plane/users/:userId": "user/user_read",
  "put /control-plane/users/:userId": "user/user_write",
  "delete /control-plane/users/:userId": "user/user_write",
  "put /control-plane/users/:userId/enable": "user/user_write",
  "put /control-plane/users/:userId/disable": "user/user_write",
  "delete /control-plane/users/:userId/disable": "user/user_write",
  "get /control-plane/operators": OPERATOR_ONLY,
  "post /control-plane/operators": OPERATOR_ONLY,
  "delete /control-plane/operators/:userId": OPERATOR_ONLY,
  "get /control-plane/clients": OPERATOR_ONLY,
  "post /control-plane/clients": OPERATOR_ONLY,
  "delete /control-plane/clients/:clientId": OPERATOR_ONLY,
  "post /control-plane/meters": "tandem/meters",
  "get /control-plane/meters": "tandem/meters",
  "get /control-plane/meters/:meterId": "tandem/meters",
  "put /control-plane/meters/:meterId": "tandem/meters",
  "delete /control-plane/meters/:meterId": "tandem/meters",
  "post /control-plane/usage": "tandem/usage",
  "get /control-plane/usage/:meterId": "tandem/usage",
  "delete /control-plane/usage": "tandem/usage",
  "get /control-plane/prices": "tandem/billing",
  "post /control-plane/prices": "tandem/billing",
  "get /control-plane/reconciliation": "tandem/billing",
  "get /control-plane/audit": "tandem/audit",
  "get /control-plane/audit/export": "tandem/audit",
};

let h: IdentityHarness;
let operator: SignedIn;
let member: SignedIn;
let memberKey: string;
const tokens = new Map<ControlPlaneScope, string>();

beforeAll(async () => {
  h = await identityHarness("api-control-plane-scopes-test");
  operator = await signInOperator(h, "ops@scopes.test");
  for (const scope of CONTROL_PLANE_SCOPES) tokens.set(scope, await clientToken(h, operator, [scope]));
  member = await h.member("member@scopes.test");
  const org = await member.agent.post("/api/orgs").set("x-csrf-token", member.csrf).send({ name: "Scoped Org", slug: "scoped-org" }).expect(201);
  memberKey = (await member.agent.post(`/api/orgs/${org.body.organisation.id}/api-keys`).set("x-csrf-token", member.csrf).send({ name: "cli", scopes: ["read", "write"] }).expect(201)).body.secret;
}, 120_000);
afterAll(() => h.close());

/** A route's path with its parameters filled: unknown ids, so a call that passes changes nothing. */
const concrete = (path: string) => path.replace(/:tierName/g, "scope-matrix-tier").replace(/:\w+/g, "0".repeat(24));

describe("the control plane's scope matrix", () => {
  it("lists every control-plane route, and nothing it lists is missing", () => {
    const routes = appRoutes(h.app).filter((r) => r.split(" ")[1]!.startsWith("/control-plane"));
    expect(routes).toEqual(Object.keys(EXPECTED).sort());
  });

  it("are all in the control plane's OpenAPI document (but the token endpoint and the document), with their scope", async () => {
    const document = (await request(h.app).get("/control-plane/openapi.json").expect(200)).body as { paths: Record<string, Record<string, { security: Array<Record<string, string[]>> }>> };
    const documented = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path.replace(/\{(\w+)\}/g, ":$1")}`));
    const routes = Object.entries(EXPECTED).filter(([, needed]) => needed !== "public");
    expect(documented.sort()).toEqual(routes.map(([route]) => route).sort());
    for (const [route, needed] of routes) {
      const [method, path] = route.split(" ") as [string, string];
      const security = document.paths[path.replace(/:(\w+)/g, "{$1}")]![method]!.security;
      expect(security, route).toContainEqual(needed === OPERATOR_ONLY ? { operatorSession: [] } : { clientCredentials: [needed] });
    }
  });

  for (const [route, needed] of Object.entries(EXPECTED)) {
    if (needed === "public") continue;
    it(`${route}: only ${needed === OPERATOR_ONLY ? "an operator's session" : `"${needed}" or an operator's session`}`, async () => {
      const [method, path] = route.split(" ") as ["get" | "post" | "put" | "patch" | "delete", string];
      const url = concrete(path);
      // PUT of a tier with a body that is refused: the matrix must not create one.
      const send = (req: request.Test) => (method === "get" ? req : req.send({}));
      for (const [scope, bearer] of tokens) {
        const res = await send(request(h.app)[method](url).set("authorization", `Bearer ${bearer}`));
        if (scope === needed) expect([401, 403], `${scope} ${route}: ${res.status} ${res.body?.code}`).not.toContain(res.status);
        else expect(res.status, `${scope} ${route}`).toBe(403);
      }
      expect((await send(request(h.app)[method](url))).status, `nobody ${route}`).toBe(401);
      expect((await send(request(h.app)[method](url).set("authorization", `Bearer ${memberKey}`))).status, `a member's API key ${route}`).toBe(401);
      expect((await send(member.agent[method](url).set("x-csrf-token", member.csrf))).status, `a member's session ${route}`).toBe(403);
      const asOperator = await send(operator.agent[method](url).set("x-csrf-token", operator.csrf));
      expect([401, 403], `operator ${route}: ${asOperator.status} ${asOperator.body?.code}`).not.toContain(asOperator.status);
      if (method !== "get") expect((await send(operator.agent[method](url))).status, `operator without the anti-forgery token ${route}`).toBe(403);
    });
  }
});
