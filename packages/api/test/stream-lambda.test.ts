import { PassThrough } from "node:stream";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { LOCAL_TEST_MODEL } from "@tandem/core/ai";
import { closeConnection, getConnection } from "@tandem/core/database";
import { signAccessToken, startSession, userModel } from "@tandem/core/identity";
import { createNotebook } from "@tandem/core/notebooks";
import { createOrganisation } from "@tandem/core/tenants";
import { startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { lambdaHttpEvent, TEST_SECRETS } from "./helpers.js";

/**
 * The streaming entry point as a Lambda function URL in RESPONSE_STREAM mode runs it. No Lambda
 * runtime can run here, so `awslambda` (the runtime's global) is provided with its documented
 * behaviour: streamifyResponse hands the handler a writable stream, and HttpResponseStream.from
 * writes the JSON prelude and eight NUL bytes before the body.
 */
const APP = "tandem-stream-test";
let standIn: BedrockStandIn;
let path: string;
let token: string;

beforeAll(async () => {
  (globalThis as Record<string, unknown>).awslambda = {
    streamifyResponse: (fn: unknown) => fn,
    HttpResponseStream: {
      from(stream: PassThrough, prelude: unknown) {
        stream.write(JSON.stringify(prelude));
        stream.write(new Uint8Array(8));
        return stream;
      },
    },
  };
  standIn = await startBedrockStandIn({ tokenDelayMs: 5 });
  const mongodbUri = `${inject("mongodbUri")}/stream-lambda-%stage%`;
  Object.assign(process.env, inject("awsEnv"), { SST_APP: APP, SST_STAGE: "dev", SST_SSM_PREFIX: `/sst/${APP}/dev/`, LOG_LEVEL: "silent", AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url });
  const ssm = new SSMClient({});
  for (const [name, value] of Object.entries({ ...TEST_SECRETS, MONGODB_URI: mongodbUri })) {
    await ssm.send(new PutParameterCommand({ Name: `/sst/${APP}/dev/Secret/${name}/value`, Value: value, Type: "SecureString", Overwrite: true }));
  }
  const connection = await getConnection({ uri: mongodbUri.replace("%stage%", "dev") });
  await connection.dropDatabase();
  const user = await userModel(connection).create({ email: "stream@example.com", name: "Stream", emailVerifiedAt: new Date() });
  const org = await createOrganisation(connection, String(user._id), { name: "Stream", slug: "stream" });
  const notebook = await createNotebook(connection, { tenantId: org.id, userId: String(user._id) }, {}, { modelId: LOCAL_TEST_MODEL.id });
  const session = await startSession(connection, String(user._id));
  token = await signAccessToken(TEST_SECRETS.JWT_SECRET, { userId: String(user._id), sessionId: session.sessionId });
  path = `/api/orgs/${org.id}/notebooks/${notebook.id}/messages`;
});
afterAll(async () => {
  await standIn?.close();
  await closeConnection();
});

/** A function URL event (payload format 2.0). */
function functionUrlEvent(body: unknown) {
  return lambdaHttpEvent({
    method: "POST",
    path,
    host: "abc.lambda-url.us-east-1.on.aws",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body,
  });
}

describe("the streaming Lambda entry point", () => {
  it("streams a reply's events as they are produced, behind the function URL prelude", async () => {
    const { handler } = await import("../src/stream-lambda.js");
    const stream = new PassThrough();
    const arrivals: Array<{ at: number; text: string }> = [];
    stream.on("data", (chunk: Buffer) => arrivals.push({ at: performance.now(), text: chunk.toString("utf8") }));
    const invoke = handler as unknown as (event: unknown, stream: PassThrough, context: unknown) => Promise<void>;
    await invoke(functionUrlEvent({ text: "stream 100 tokens" }), stream, { callbackWaitsForEmptyEventLoop: true });

    const all = arrivals.map((a) => a.text).join("");
    const prelude = JSON.parse(all.slice(0, all.indexOf("\u0000"))) as { statusCode: number; headers: Record<string, string> };
    expect(prelude.statusCode).toBe(200);
    expect(prelude.headers["content-type"]).toContain("text/event-stream");
    const deltas = [...all.matchAll(/event: delta\ndata: (.+)\n\n/g)].map((m) => (JSON.parse(m[1]!) as { text: string }).text);
    expect(deltas).toEqual(Array.from({ length: 100 }, (_, i) => `t${i + 1} `));
    expect(all).toContain("event: done");
    // Streamed, not buffered: the first delta arrived long before the last (100 tokens, 5 ms apart).
    const first = arrivals.find((a) => a.text.includes("event: delta"))!.at;
    const last = arrivals.at(-1)!.at;
    expect(last - first).toBeGreaterThan(250);
  });

  it("stops the model when the function URL's client goes away", async () => {
    const { handler } = await import("../src/stream-lambda.js");
    const stream = new PassThrough();
    let deltas = 0;
    stream.on("data", (chunk: Buffer) => {
      deltas += (chunk.toString("utf8").match(/event: delta/g) ?? []).length;
      if (deltas >= 5 && !stream.destroyed) stream.destroy();
    });
    const before = standIn.cancelledStreams();
    const invoke = handler as unknown as (event: unknown, stream: PassThrough, context: unknown) => Promise<void>;
    await Promise.race([invoke(functionUrlEvent({ text: "stream 2000 tokens" }), stream, {}).catch(() => undefined), new Promise((r) => setTimeout(r, 15_000))]);
    await expect.poll(() => standIn.cancelledStreams(), { timeout: 10_000 }).toBe(before + 1);
  });
});
