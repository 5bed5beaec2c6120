import type { Server } from "node:http";
import { StreamDone, StreamStart } from "@tandem/client/contract";
import { usageEventModel } from "@tandem/core/notebooks";
import { runAsSystem } from "@tandem/core/tenancy";
import { startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { identityHarness, readEventStream, type IdentityHarness, type SignedIn, type StreamEvent } from "./helpers.js";

/** Notebooks and streamed replies: the API over real HTTP, Bedrock's SDK against the stand-in. */
let h: IdentityHarness;
let standIn: BedrockStandIn;
let server: Server;
let base: string;
let ann: SignedIn;
let orgId: string;
let cookie: string;
const SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

beforeAll(async () => {
  standIn = await startBedrockStandIn({ tokenDelayMs: 3 });
  h = await identityHarness("api-notebooks-test", { source: { ...inject("awsEnv"), AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url, KNOWLEDGE_FILES_BUCKET: "api-notebooks-knowledge", GENERATED_IMAGES_BUCKET: "api-notebooks-images" } });
  await h.deps.storage.s3.send(new CreateBucketCommand({ Bucket: "api-notebooks-knowledge" }));
  await h.deps.storage.s3.send(new CreateBucketCommand({ Bucket: "api-notebooks-images" }));
  ann = await h.member("ann@example.com", "Ann");
  orgId = (await ann.agent.post("/api/orgs").set("x-csrf-token", ann.csrf).send({ name: "Ann Co", slug: "ann-co" }).expect(201)).body.organisation.id;
  // A real HTTP server, so the test reads the stream as a browser would.
  server = h.app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const signIn = await fetch(`${base}/api/auth/sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: ann.email, password: ann.password }) });
  cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
});
afterAll(async () => {
  server?.close();
  await standIn?.close();
  await h?.close();
});

const path = (p = "") => `/api/orgs/${orgId}/notebooks${p}`;
const write = (method: "post" | "patch" | "put" | "delete", p: string) => ann.agent[method](p).set("x-csrf-token", ann.csrf);

/** Posts a message and reads the event stream; `stopAfter` deltas, it closes the connection. */
async function chat(notebookId: string, text: string, options: { stopAfter?: number; modelId?: string } = {}): Promise<{ status: number; events: StreamEvent[] }> {
  const controller = new AbortController();
  const csrf = /tandem_csrf=([^;]+)/.exec(cookie)?.[1] ?? "";
  const res = await fetch(`${base}${path(`/${notebookId}/messages`)}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, "x-csrf-token": decodeURIComponent(csrf) },
    body: JSON.stringify({ text, modelId: options.modelId }),
    signal: controller.signal,
  });
  return { status: res.status, events: await readEventStream(res, controller, options.stopAfter) };
}

describe("models", () => {
  it("offers the stand-in's model first, clearly marked as a local test model", async () => {
    const res = await ann.agent.get(`/api/orgs/${orgId}/models`).expect(200);
    expect(res.body.models[0]).toMatchObject({ id: "tandem.local-echo-v1", name: "Local test model (not a real model)", local: true });
    expect(res.body.models.filter((m: { local: boolean }) => m.local)).toHaveLength(1);
    expect(res.body.defaultModelId).toBe("tandem.local-echo-v1");
  });
});

describe("notebooks", () => {
  it("creates, renames, lists newest first a page at a time, and deletes", async () => {
    const ids: string[] = [];
    for (const title of ["First", "Second", "Third"]) ids.push((await write("post", path()).send({ title }).expect(201)).body.notebook.id);
    await write("patch", path(`/${ids[0]}`)).send({ title: "First, renamed", systemPrompt: "Answer briefly." }).expect(200);
    const page1 = await ann.agent.get(path("?limit=2")).expect(200);
    expect(page1.body.notebooks.map((n: { title: string }) => n.title)).toEqual(["Third", "Second"]);
    const page2 = await ann.agent.get(path(`?limit=2&cursor=${page1.body.nextCursor}`)).expect(200);
    expect(page2.body.notebooks.map((n: { title: string }) => n.title)).toEqual(["First, renamed"]);
    expect(page2.body.nextCursor).toBeUndefined();
    await write("delete", path(`/${ids[1]}`)).expect(204);
    await ann.agent.get(path(`/${ids[1]}`)).expect(404);
  });

  it("keeps a notebook to its owner, even inside the organisation", async () => {
    const id = (await write("post", path()).send({ title: "Private" }).expect(201)).body.notebook.id;
    const since = h.mail.received.length;
    await write("post", `/api/orgs/${orgId}/invites`).send({ email: "ben@example.com" }).expect(201);
    const token = /invites\/accept\?token=([\w%-]+)/.exec((await h.mail.waitFor("ben@example.com", since)).text ?? "")![1]!;
    const ben = await h.member("ben@example.com", "Ben");
    await ben.agent.post("/api/invites/accept").set("x-csrf-token", ben.csrf).send({ token: decodeURIComponent(token) }).expect(200);
    await ben.agent.get(path(`/${id}`)).expect(404);
    expect((await ben.agent.get(path()).expect(200)).body.notebooks).toEqual([]);
  });
});

describe("streamed replies", () => {
  it("streams the deltas in order, then saves the reply with its tokens and records usage once", async () => {
    const id = (await write("post", path()).send({ title: "Counting" }).expect(201)).body.notebook.id;
    const { status, events } = await chat(id, "stream 40 tokens now");
    expect(status).toBe(200);
    expect(events[0]!.event).toBe("start");
    const start = StreamStart.parse(events[0]!.data);
    expect(start.assistantMessage.status).toBe("streaming");
    const deltas = events.filter((e) => e.event === "delta").map((e) => (e.data as { text: string }).text);
    expect(deltas).toEqual(Array.from({ length: 40 }, (_, i) => `t${i + 1} `));
    const done = StreamDone.parse(events.find((e) => e.event === "done")!.data);
    expect(done.message).toMatchObject({ status: "complete", content: deltas.join(""), outputTokens: 40, modelId: "tandem.local-echo-v1" });
    expect(done.message.inputTokens).toBeGreaterThan(0);
    expect(done.message.latencyMs).toBeGreaterThanOrEqual(done.message.firstTokenMs!);

    const saved = await ann.agent.get(path(`/${id}`)).expect(200);
    expect(saved.body.messages.map((m: { role: string; status: string }) => `${m.role}:${m.status}`)).toEqual(["user:complete", "assistant:complete"]);
    const connection = await h.deps.database();
    const usage = await runAsSystem("test: read usage", () => usageEventModel(connection).find({ messageId: done.message.id }).lean());
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({ idempotencyKey: `reply:${done.message.id}`, modelId: "tandem.local-echo-v1", outputTokens: 40, costUsd: 0, tenantId: expect.anything() });
    expect(String(usage[0]!.tenantId)).toBe(orgId);
  });

  it("stops the model upstream when the browser closes the stream, and saves the reply as stopped", async () => {
    const id = (await write("post", path()).send({ title: "Long" }).expect(201)).body.notebook.id;
    const cancelledBefore = standIn.cancelledStreams();
    const { events } = await chat(id, "stream 2000 tokens", { stopAfter: 5 });
    expect(events.filter((e) => e.event === "delta").length).toBeGreaterThanOrEqual(5);
    await expect.poll(() => standIn.cancelledStreams(), { timeout: 10_000 }).toBe(cancelledBefore + 1);
    await expect
      .poll(async () => (await ann.agent.get(path(`/${id}`))).body.messages[1]?.status, { timeout: 10_000 })
      .toBe("stopped");
    const reply = (await ann.agent.get(path(`/${id}`))).body.messages[1];
    expect(reply.content.startsWith("t1 t2 t3 t4 t5 ")).toBe(true);
    expect(reply.outputTokens).toBeLessThan(2000);
  });

  it("never lets the local stand-in answer as a real model: real models are listed as unavailable, with the reason", async () => {
    const models = await ann.agent.get(`/api/orgs/${orgId}/models`).expect(200);
    const sonnet = (models.body.models as Array<{ id: string; unavailable?: string }>).find((m) => m.id === SONNET);
    expect(sonnet?.unavailable).toContain("need AWS credentials");
    expect(models.body.defaultModelId).toBe("tandem.local-echo-v1");
    const refused = await write("post", path()).send({ title: "Sonnet", modelId: SONNET }).expect(403);
    expect(refused.body).toMatchObject({ code: "model.unavailable" });
    expect(refused.body.detail).toContain("Pick Local test model");
    const id = (await write("post", path()).send({ title: "Echo" }).expect(201)).body.notebook.id;
    const before = standIn.requests.length;
    const { status, events } = await chat(id, "hello", { modelId: SONNET });
    expect(status).toBe(403);
    expect((events[0]!.data as { code: string }).code).toBe("model.unavailable");
    expect(standIn.requests.length).toBe(before);
  });

  it("follows the organisation's model policy", async () => {
    await write("put", `/api/orgs/${orgId}/model-policy`).send({ allowedModelIds: ["tandem.local-echo-v1"], guardrail: { id: "gr1abc", version: "1" } }).expect(200);
    const models = await ann.agent.get(`/api/orgs/${orgId}/models`).expect(200);
    expect(models.body.models.map((m: { id: string }) => m.id)).toEqual(["tandem.local-echo-v1"]);
    expect(models.body.policy.guardrail).toEqual({ id: "gr1abc", version: "1" });
    // Admins still see every chat model to choose from.
    expect(models.body.available.map((m: { id: string }) => m.id)).toContain("us.amazon.nova-pro-v1:0");
    const id = (await write("post", path()).send({ title: "Policy" }).expect(201)).body.notebook.id;
    // The guardrail travels with every reply.
    await chat(id, "hello under the guardrail");
    expect(standIn.requests.at(-1)).toMatchObject({ operation: "converse-stream", modelId: "tandem.local-echo-v1", guardrail: "gr1abc:1" });
    const refused = await chat(id, "hello", { modelId: "us.amazon.nova-pro-v1:0" });
    expect(refused.status).toBe(403);
    expect((refused.events[0]!.data as { code: string }).code).toBe("model.not_allowed");
    await write("put", `/api/orgs/${orgId}/model-policy`).send({ allowedModelIds: ["made.up-model"], guardrail: null }).expect(400);
    await write("put", `/api/orgs/${orgId}/model-policy`).send({ allowedModelIds: [], guardrail: null }).expect(200);
  });
});

describe("search and export", () => {
  it("finds notebooks by title and by message text, and exports Markdown and JSON", async () => {
    const id = (await write("post", path()).send({ title: "Quarterly plans" }).expect(201)).body.notebook.id;
    await chat(id, "What about the Zanzibar launch?");
    expect((await ann.agent.get(path("?q=quarterly")).expect(200)).body.notebooks.map((n: { id: string }) => n.id)).toEqual([id]);
    expect((await ann.agent.get(path("?q=zanzibar")).expect(200)).body.notebooks.map((n: { id: string }) => n.id)).toEqual([id]);
    expect((await ann.agent.get(path("?q=(unbalanced")).expect(200)).body.notebooks).toEqual([]);

    const md = await ann.agent.get(path(`/${id}/export?format=markdown`)).expect(200);
    expect(md.headers["content-type"]).toContain("text/markdown");
    expect(md.headers["content-disposition"]).toMatch(/attachment; filename="?Quarterly-plans.md"?/);
    expect(md.text).toContain("# Quarterly plans");
    expect(md.text).toContain("## You\n\nWhat about the Zanzibar launch?");
    const json = await ann.agent.get(path(`/${id}/export?format=json`)).expect(200);
    expect(JSON.parse(json.text).messages).toHaveLength(2);
  });
});

describe("knowledge files over HTTP", () => {
  it("uploads through the presigned POST, processes the file, and a reply cites it", async () => {
    const id = (await write("post", path()).send({ title: "Grounded" }).expect(201)).body.notebook.id;
    const text = "# Opening hours\n\nThe Harbour Library opens at nine on Saturdays.\n\nThe reading room closes at noon on Sundays.";
    const bytes = new TextEncoder().encode(text);
    const registered = await write("post", path(`/${id}/files`)).send({ name: "library.md", type: "text/markdown", size: bytes.length }).expect(201);
    expect(registered.body.file.status).toBe("uploading");
    const form = new FormData();
    for (const [k, v] of Object.entries(registered.body.upload.fields as Record<string, string>)) form.append(k, v);
    form.append("file", new Blob([bytes], { type: "text/markdown" }));
    expect((await fetch(registered.body.upload.url, { method: "POST", body: form })).status).toBeLessThan(300);
    // Completing queues the reading and answers at once; the list shows it ready when it is.
    const queued = await write("post", path(`/${id}/files/${registered.body.file.id}/complete`)).expect(202);
    expect(queued.body.file).toMatchObject({ status: "processing" });
    await expect
      .poll(async () => ((await ann.agent.get(path(`/${id}/files`)).expect(200)).body.files as Array<{ id: string; status: string }>).find((f) => f.id === registered.body.file.id), { timeout: 30_000, interval: 200 })
      .toMatchObject({ status: "ready", chunkCount: 1, pages: 1, embedded: 1 });

    const { events } = await chat(id, "When does the Harbour Library open on Saturdays?");
    const message = StreamDone.parse(events.find((e) => e.event === "done")!.data).message;
    expect(message.citations?.[0]).toMatchObject({ n: 1, fileName: "library.md", fileId: registered.body.file.id });
    expect(message.citations?.[0]?.text).toContain("opens at nine on Saturdays");

    // The viewer's link: a short-lived presigned GET of the file itself.
    const content = await ann.agent.get(path(`/${id}/files/${registered.body.file.id}/content`)).expect(302);
    expect(content.headers.location).toContain("X-Amz-Expires=300");
    expect(await (await fetch(content.headers.location!)).text()).toBe(text);
    await write("delete", path(`/${id}/files/${registered.body.file.id}`)).expect(204);
    expect((await ann.agent.get(path(`/${id}/files`)).expect(200)).body.files).toEqual([]);
  });
});

describe("images", () => {
  it("generates an image into the bucket and shows it in the notebook's gallery through short-lived links", async () => {
    const id = (await write("post", path()).send({ title: "Pictures" }).expect(201)).body.notebook.id;
    const made = await write("post", path(`/${id}/images`)).send({ prompt: "a lighthouse at dusk", size: "512x512" }).expect(201);
    expect(made.body.image).toMatchObject({ prompt: "a lighthouse at dusk", modelId: "tandem.local-canvas-v1", width: 512, height: 512 });
    expect(made.body.image.url).toContain("X-Amz-Expires=300");
    const png = Buffer.from(await (await fetch(made.body.image.url)).arrayBuffer());
    expect(png.subarray(1, 4).toString("ascii")).toBe("PNG");
    // The download link answers as a file named after the prompt (a cross-origin link's `download` is ignored).
    const download = await fetch(made.body.image.downloadUrl);
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename="a-lighthouse-at-dusk.png"; filename*=UTF-8''a-lighthouse-at-dusk.png`);
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
    const connection = await h.deps.database();
    const metered = await runAsSystem("test: read usage", () => usageEventModel(connection).find({ idempotencyKey: `image:${made.body.image.id}` }).lean());
    expect(metered).toHaveLength(1);
    expect(metered[0]).toMatchObject({ kind: "image", images: 1, modelId: "tandem.local-canvas-v1", costUsd: 0 });
    await write("post", path(`/${id}/images`)).send({ prompt: "a second picture" }).expect(201);
    const gallery = await ann.agent.get(path(`/${id}/images`)).expect(200);
    expect(gallery.body.images.map((i: { prompt: string }) => i.prompt)).toEqual(["a second picture", "a lighthouse at dusk"]);
    await write("post", path(`/${id}/images`)).send({ prompt: "" }).expect(400);
  });
});
