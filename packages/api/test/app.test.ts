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
    expect(log.text()).toContain("[redacted]");
  });
});
