import { HealthResponse, Problem } from "@tandem/client/contract";
import { closeConnection } from "@tandem/core/database";
import request from "supertest";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../src/app.js";
import { appRoutes, capturedLogger, testDeps } from "./helpers.js";

const uri = `${inject("mongodbUri")}/api-app-test`;
const log = capturedLogger();
const app = createApp(testDeps(uri, log.logger));
afterAll(() => closeConnection());

describe("GET /api/health", () => {
  it("answers 200 with the database's state and the build's version", async () => {
    const res = await request(app).get("/api/health").expect(200);
    const body = HealthResponse.parse(res.body);
    expect(body.status).toBe("ok");
    expect(body.version).toBe("1.2.3-test");
    expect(body.checks.database.status).toBe("up");
    if (!process.env.MONGODB_URI) expect(body.checks.database.engine).toBe("ferretdb");
    expect(res.headers["cache-control"]).toBe("no-store");
  });
});

describe("OpenAPI", () => {
  it("publishes a document generated from the contract's schemas", async () => {
    const res = await request(app).get("/openapi.json").expect(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(res.body.paths["/api/health"].get.responses).toHaveProperty("503");
    expect(res.body.components.schemas.HealthResponse.properties.checks).toBeDefined();
    expect(res.body.components.schemas.Problem.required).toEqual(expect.arrayContaining(["code", "detail", "status"]));
  });

  it("documents every API route the app serves", async () => {
    const res = await request(app).get("/openapi.json").expect(200);
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    const served = appRoutes(app).filter((r) => r.includes(" /api/"));
    expect(served.filter((r) => !documented.includes(r))).toEqual([]);
  });

  it("serves every documented operation (the document is not a wish list)", async () => {
    const res = await request(app).get("/openapi.json").expect(200);
    const served = appRoutes(app);
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    expect(documented.filter((r) => !served.includes(r))).toEqual([]);
  });

  it("documents the statuses each route can answer: 409 on creating organisations and invitations, 401/403/503 everywhere", async () => {
    const { paths } = (await request(app).get("/openapi.json").expect(200)).body as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(paths["/api/orgs"]!.post!.responses)).toEqual(expect.arrayContaining(["201", "400", "401", "403", "409", "413", "503"]));
    expect(Object.keys(paths["/api/orgs/{orgId}/invites"]!.post!.responses)).toEqual(expect.arrayContaining(["201", "404", "409", "413"]));
    expect(Object.keys(paths["/api/auth/sign-in"]!.post!.responses)).toContain("429");
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (path !== "/api/health") expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(expect.arrayContaining(["400", "401", "403", "500", "503"]));
        if (path.includes("{orgId}")) expect(Object.keys(operation.responses), `${method} ${path}`).toContain("404");
      }
    }
  });

  it("describes lengths, formats, enums, required bodies and ObjectId path parameters", async () => {
    const doc = (await request(app).get("/openapi.json").expect(200)).body;
    const bodyOf = (path: string, method: string) => doc.paths[path][method].requestBody;
    const signUp = bodyOf("/api/accounts", "post");
    expect(signUp.required).toBe(true);
    const fields = signUp.content["application/json"].schema.properties;
    expect(fields.email).toMatchObject({ maxLength: 254, pattern: expect.stringContaining("@") });
    expect(fields.name).toMatchObject({ maxLength: 120, pattern: expect.stringContaining("\\u0000") });
    expect(fields.password).toMatchObject({ minLength: 10, maxLength: 256 });
    expect(bodyOf("/api/orgs/{orgId}/members/{userId}", "patch").content["application/json"].schema.properties.role.enum).toEqual(["owner", "admin", "member"]);
    const upload = bodyOf("/api/orgs/{orgId}/notebooks/{notebookId}/files", "post").content["application/json"].schema.properties;
    expect(upload.type.enum).toContain("application/pdf");
    expect(upload.size).toMatchObject({ type: "integer", exclusiveMinimum: 0, maximum: 25 * 1024 * 1024 });
    const keys = bodyOf("/api/orgs/{orgId}/api-keys", "post").content["application/json"].schema.properties;
    expect(keys.scopes.items.enum).toEqual(["read", "write"]);
    expect(keys.expiresInDays).toMatchObject({ type: "integer", minimum: 1, maximum: 365 });
    // An empty notebook body takes the defaults, so that body alone is optional.
    expect(bodyOf("/api/orgs/{orgId}/notebooks", "post").required).toBe(false);
    const params = doc.paths["/api/orgs/{orgId}/notebooks/{notebookId}"].get.parameters as { name: string; in: string; schema: { pattern?: string } }[];
    expect(params.map((p) => [p.name, p.in, p.schema.pattern])).toEqual([
      ["orgId", "path", "^[0-9a-f]{24}$"],
      ["notebookId", "path", "^[0-9a-f]{24}$"],
    ]);
    const list = doc.paths["/api/orgs/{orgId}/notebooks"].get.parameters as { name: string; in: string }[];
    expect(list.filter((p) => p.in === "query").map((p) => p.name)).toEqual(["cursor", "limit", "q"]);
  });

  it("renders a browsable reference at /api-docs that loads /openapi.json", async () => {
    const page = await request(app).get("/api-docs/").expect(200);
    expect(page.text).toContain("Tandem API reference");
    const init = await request(app).get("/api-docs/swagger-ui-init.js").expect(200);
    expect(init.text).toContain("/openapi.json");
  });
});

describe("problems", () => {
  it("answers an unknown route with a 404 problem that points at the docs", async () => {
    const res = await request(app).get("/api/nope").expect(404).expect("content-type", /application\/problem\+json/);
    const problem = Problem.parse(res.body);
    expect(problem.code).toBe("route.not_found");
    expect(problem.detail).toContain("/api-docs");
    expect(problem.requestId).toBe(res.headers["x-request-id"]);
  });

  it("answers malformed JSON with 400 instead of a crash", async () => {
    const res = await request(app).post("/api/health").set("content-type", "application/json").send('{"email": ').expect(400);
    expect(Problem.parse(res.body).code).toBe("request.malformed_json");
  });
});

describe("methods", () => {
  it("answers OPTIONS with the methods a path really serves (a POST-only route does not advertise GET)", async () => {
    const signIn = await request(app).options("/api/auth/sign-in").expect(204);
    expect(signIn.headers.allow).toBe("POST, OPTIONS");
    const orgs = await request(app).options("/api/orgs/").expect(204);
    expect(orgs.headers.allow).toBe("GET, POST, HEAD, OPTIONS");
  });

  it("answers a method a path does not serve with 405 and Allow, not 404", async () => {
    const get = await request(app).get("/api/auth/sign-in").expect(405).expect("content-type", /application\/problem\+json/);
    expect(get.headers.allow).toBe("POST, OPTIONS");
    expect(Problem.parse(get.body)).toMatchObject({ status: 405, code: "route.method_not_allowed" });
    expect(get.body.detail).toContain("POST");
    const put = await request(app).put("/api/health").expect(405);
    expect(put.headers.allow).toBe("GET, HEAD, OPTIONS");
    const del = await request(app).delete("/api/orgs/0123456789abcdef01234567/models").expect(405);
    expect(del.headers.allow).toBe("GET, HEAD, OPTIONS");
    // A path nobody serves is still a 404.
    await request(app).delete("/api/nothing-here").expect(404);
  });
});

describe("request ids and logs", () => {
  it("keeps a caller's plain request id and replaces a forged one", async () => {
    const kept = await request(app).get("/api/health").set("x-request-id", "abc-123");
    expect(kept.headers["x-request-id"]).toBe("abc-123");
    const replaced = await request(app).get("/api/health").set("x-request-id", "bad id {\"level\":60} forged");
    expect(replaced.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("writes structured lines with the request id and never the credentials", async () => {
    await request(app)
      .get("/api/private-thing")
      .set("x-request-id", "log-check-1")
      .set("authorization", "Bearer super-secret-token-value")
      .set("cookie", "tandem_session=cookie-secret-value");
    // The made-up bearer token is refused before routing.
    const line = log.lines().find((l) => (l.req as { id?: string } | undefined)?.id === "log-check-1" && l.res);
    expect(line).toMatchObject({ service: "tandem-api", stage: "test", res: { statusCode: 401 } });
    expect(log.text()).not.toContain("super-secret-token-value");
    expect(log.text()).not.toContain("cookie-secret-value");
    // Only an allow-list of headers is logged: credentials are not even named.
    const headers = (line!.req as { headers: Record<string, unknown> }).headers;
    expect(headers).toMatchObject({ "x-request-id": "log-check-1" });
    expect(Object.keys(headers)).not.toContain("authorization");
    expect(Object.keys(headers)).not.toContain("cookie");
  });
});
