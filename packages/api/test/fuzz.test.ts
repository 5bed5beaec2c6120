import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { ensureSchemathesis, SCHEMATHESIS_VERSION, startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CONTROL_PLANE_SCOPES } from "@tandem/core/control-plane";
import { identityHarness, type IdentityHarness, clientToken, signInOperator } from "./helpers.js";

/**
 * The external OpenAPI fuzzer: schemathesis reads /openapi.json and sends what it describes (and
 * what it does not) to the API over loopback, signed in with a read/write API key and with the
 * ids of a real organisation and notebook. Any 5xx, any status, content type or body the document
 * does not describe fails the test; the summary is printed either way.
 */
let h: IdentityHarness;
let standIn: BedrockStandIn;
let server: Server;
let base: string;
let folder: string;
let apiKey: string;
let ids: { orgId: string; notebookId: string; userId: string };
let reports: string;

beforeAll(async () => {
  standIn = await startBedrockStandIn({ tokenDelayMs: 0 });
  h = await identityHarness("api-fuzz-test", {
    source: { ...inject("awsEnv"), AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url, KNOWLEDGE_FILES_BUCKET: "api-fuzz-knowledge", GENERATED_IMAGES_BUCKET: "api-fuzz-images" },
  });
  await h.deps.storage.s3.send(new CreateBucketCommand({ Bucket: "api-fuzz-knowledge" }));
  await h.deps.storage.s3.send(new CreateBucketCommand({ Bucket: "api-fuzz-images" }));
  const fay = await h.member("fay@example.com", "Fay");
  const write = (p: string) => fay.agent.post(p).set("x-csrf-token", fay.csrf);
  const orgId = (await write("/api/orgs").send({ name: "Fuzz Co", slug: "fuzz-co" }).expect(201)).body.organisation.id as string;
  const notebookId = (await write(`/api/orgs/${orgId}/notebooks`).send({ title: "Fuzzed" }).expect(201)).body.notebook.id as string;
  apiKey = (await write(`/api/orgs/${orgId}/api-keys`).send({ name: "fuzzer", scopes: ["read", "write"] }).expect(201)).body.secret as string;
  ids = { orgId, notebookId, userId: fay.userId };
  server = h.app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  folder = await mkdtemp(path.join(tmpdir(), "tandem-fuzz-"));
  // TANDEM_FUZZ_REPORTS=<folder> keeps the JUnit report and a HAR of every request for a closer look.
  reports = process.env.TANDEM_FUZZ_REPORTS ?? folder;
}, 180_000);

afterAll(async () => {
  server?.close();
  await standIn?.close();
  await h?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function run(command: string, args: string[], options: { cwd: string; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, NO_COLOR: "1", PYTHONUNBUFFERED: "1" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGTERM"), options.timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Runs schemathesis against a document with a bearer token; fails on any check it fails. */
async function fuzz(document: string, bearer: string, parameters: Record<string, string>): Promise<void> {
  const bin = await ensureSchemathesis();
  const config = path.join(folder, `schemathesis-${path.basename(path.dirname(document)) || "api"}.toml`);
  await writeFile(config, ["[parameters]", ...Object.entries(parameters).map(([name, value]) => `"${name}" = "${value}"`), ""].join("\n"));
  const { code, output } = await run(
    bin,
    [
      "--config-file",
      config,
      "run",
      `${base}${document}`,
      "--checks",
      "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,unsupported_method,allow_header_conformance",
      "--header",
      `Authorization: Bearer ${bearer}`,
      "--phases",
      "examples,coverage,fuzzing",
      "--max-examples",
      "25",
      "--workers",
      "1",
      "--seed",
      "8",
      "--request-timeout",
      "10",
      "--generation-database",
      "none",
      "--suppress-health-check",
      "all",
      "--no-color",
      "--report",
      "junit,har",
      "--report-dir",
      reports,
    ],
    { cwd: folder, timeoutMs: 270_000 },
  );
  const cases = /Test cases:\s*\n\s*(\d+) generated, (\d+) passed/.exec(output);
  if (code !== 0 || !cases) console.log(output.slice(-12_000));
  else console.log(`schemathesis ${SCHEMATHESIS_VERSION} on ${document}: ${cases[1]} generated cases, ${cases[2]} passed`);
  expect(output).toMatch(/test cases|Test cases/);
  expect(code, "schemathesis found failures; its output above has a curl line to reproduce each").toBe(0);
}

describe("schemathesis against /openapi.json", () => {
  it(`finds no server error and no answer the document does not describe (schemathesis ${SCHEMATHESIS_VERSION})`, async () => {
    await fuzz("/openapi.json", apiKey, { "path.orgId": ids.orgId, "path.notebookId": ids.notebookId, "path.userId": ids.userId });
  }, 300_000);
});

describe("schemathesis against /control-plane/openapi.json", () => {
  it("finds no server error and no answer the control plane's document does not describe, with a token of every scope", async () => {
    const bearer = await clientToken(h, await signInOperator(h, "ops@fuzz.test"), CONTROL_PLANE_SCOPES, "fuzzer");
    await fuzz("/control-plane/openapi.json", bearer, { "path.tenantId": ids.orgId });
  }, 300_000);
});
