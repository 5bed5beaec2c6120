import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bundleLikeSst, installBesideBundle } from "./bundle.js";
import { TEST_SECRETS } from "./helpers.js";

const run = promisify(execFile);
const ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/lambda.ts");
const APP = "tandem-bundle-test";
let outDir: string;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), "tandem-lambda-bundle-"));
  await bundleLikeSst(ENTRY, path.join(outDir, "lambda.mjs"));
  installBesideBundle(outDir);
  const ssm = new SSMClient({ ...clientConfig() });
  for (const [name, value] of Object.entries({ ...TEST_SECRETS, MONGODB_URI: `${inject("mongodbUri")}/bundle-%stage%` })) {
    await ssm.send(new PutParameterCommand({ Name: `/sst/${APP}/.fallback/Secret/${name}/value`, Value: value, Type: "SecureString", Overwrite: true }));
  }
}, 120_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function clientConfig() {
  const aws = inject("awsEnv");
  return aws.AWS_ENDPOINT_URL
    ? { endpoint: aws.AWS_ENDPOINT_URL, region: aws.AWS_REGION, credentials: { accessKeyId: aws.AWS_ACCESS_KEY_ID!, secretAccessKey: aws.AWS_SECRET_ACCESS_KEY! } }
    : {};
}

describe("the API as SST bundles it for Lambda", () => {
  it("is one file (plus swagger-ui-dist and argon2) that serves health, /api-docs and sign-up outside the workspace", async () => {
    const size = statSync(path.join(outDir, "lambda.mjs")).size;
    expect(size).toBeGreaterThan(100_000);
    writeFileSync(
      path.join(outDir, "invoke.mjs"),
      `import { handler } from "./lambda.mjs";
const event = (path, body) => ({ version: "2.0", routeKey: "$default", rawPath: path, rawQueryString: "", headers: { host: "x", "content-type": "application/json" }, isBase64Encoded: false,
  body: body === undefined ? undefined : JSON.stringify(body),
  requestContext: { http: { method: body === undefined ? "GET" : "POST", path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "t" }, stage: "$default", requestId: "r", routeKey: "$default", accountId: "1", apiId: "a", domainName: "x", domainPrefix: "x", time: "", timeEpoch: 0 } });
const results = [];
for (const path of ["/api/health", "/api-docs/swagger-ui.css"]) results.push(await handler(event(path), {}));
// Signing up hashes with argon2's native binary, installed beside the bundle.
results.push(await handler(event("/api/accounts", { email: "lambda@example.com", name: "Lambda", password: "bundled passphrase" }), {}));
process.stdout.write("\\nRESULTS " + JSON.stringify(results) + "\\n");
process.exit(0);`,
    );
    // A bare environment, as on Lambda: only what SST and the stack set, plus the AWS endpoint.
    const { stdout } = await run(process.execPath, ["invoke.mjs"], {
      cwd: outDir,
      env: { PATH: process.env.PATH, ...inject("awsEnv"), SST_APP: APP, SST_STAGE: "pr9", SST_SSM_PREFIX: `/sst/${APP}/pr9/`, LOG_LEVEL: "warn", TANDEM_VERSION: "bundle" },
      timeout: 60_000,
    });
    // The function's own log lines share stdout; the results are on their marked line.
    const line = stdout.split("\n").find((l) => l.startsWith("RESULTS "));
    const [health, docsAsset, signUp] = JSON.parse(line!.slice("RESULTS ".length)) as Array<{ statusCode: number; body: string; headers: Record<string, string> }>;
    expect(health?.statusCode).toBe(200);
    expect(JSON.parse(health!.body)).toMatchObject({ status: "ok", stage: "pr9", version: "bundle", checks: { database: { status: "up" } } });
    // The API reference's assets are served on Lambda too.
    expect(docsAsset?.statusCode).toBe(200);
    expect(docsAsset?.headers["content-type"]).toMatch(/^text\/css/);
    expect(signUp?.statusCode).toBe(201);
    expect(JSON.parse(signUp!.body)).toMatchObject({ account: { email: "lambda@example.com" } });
  });
});
