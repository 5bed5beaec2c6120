import type { Server } from "node:http";
import { CreateBucketCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { StreamDone, StreamTitle } from "@tandem/client/contract";
import { generatedImageModel } from "@tandem/core/images";
import { usageEventModel } from "@tandem/core/notebooks";
import { runAsSystem } from "@tandem/core/tenancy";
import { startBedrockStandIn, type BedrockStandIn } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { identityHarness, linkToken, readEventStream, type IdentityHarness, type SignedIn, type StreamEvent } from "./helpers.js";

/**
 * The controls of a conversation (issue 12): a notebook named from its first exchange, regenerate
 * the latest reply, edit a question and send it again, delete a message, delete an image. Over
 * real HTTP, Bedrock's SDK against the stand-in, images in moto's S3.
 */
let h: IdentityHarness;
let standIn: BedrockStandIn;
let server: Server;
let base: string;
let ann: SignedIn;
let bob: SignedIn;
let orgId: string;
let cookie: string;
const IMAGES = "api-chat-controls-images";

beforeAll(async () => {
  standIn = await startBedrockStandIn({ tokenDelayMs: 2 });
  h = await identityHarness("api-chat-controls-test", { source: { ...inject("awsEnv"), AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url, GENERATED_IMAGES_BUCKET: IMAGES } });
  await h.deps.storage.s3.send(new CreateBucketCommand({ Bucket: IMAGES }));
  ann = await h.member("ann@controls.test", "Ann");
  bob = await h.member("bob@controls.test", "Bob");
  orgId = (await ann.agent.post("/api/orgs").set("x-csrf-token", ann.csrf).send({ name: "Controls Co", slug: "controls-co" }).expect(201)).body.organisation.id;
  const since = h.mail.received.length;
  await ann.agent.post(`/api/orgs/${orgId}/invites`).set("x-csrf-token", ann.csrf).send({ email: bob.email, role: "member" }).expect(201);
  const token = linkToken(await h.mail.waitFor(bob.email, since), "/invites/accept");
  await bob.agent.post("/api/invites/accept").set("x-csrf-token", bob.csrf).send({ token }).expect(200);
  server = h.app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const signIn = await fetch(`${base}/api/auth/sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: ann.email, password: ann.password }) });
  cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}, 120_000);
afterAll(async () => {
  server?.close();
  await standIn?.close();
  await h?.close();
});

const path = (p = "") => `/api/orgs/${orgId}/notebooks${p}`;
const write = (who: SignedIn, method: "post" | "patch" | "delete", p: string) => who.agent[method](p).set("x-csrf-token", who.csrf);
const messagesOf = async (id: string) => (await ann.agent.get(path(`/${id}`)).expect(200)).body.messages as Array<{ id: string; role: string; content: string; status: string }>;
const doneOf = (events: StreamEvent[]) => StreamDone.parse(events.find((e) => e.event === "done")?.data).message;

/** A streamed request (send, regenerate, edit) as the browser makes it. */
async function stream(method: "POST" | "PATCH", p: string, body: unknown, controller = new AbortController()): Promise<{ status: number; events: StreamEvent[] }> {
  const csrf = /tandem_csrf=([^;]+)/.exec(cookie)?.[1] ?? "";
  const res = await fetch(`${base}${path(p)}`, { method, headers: { "content-type": "application/json", cookie, "x-csrf-token": decodeURIComponent(csrf) }, body: JSON.stringify(body), signal: controller.signal });
  return { status: res.status, events: await readEventStream(res, controller) };
}
const newNotebook = async (body: Record<string, unknown> = {}) => (await write(ann, "post", path()).send(body).expect(201)).body.notebook.id as string;

describe("naming a notebook from its first exchange", () => {
  it("names an untitled notebook once, after the reply, with a metered model call; never one its owner named", async () => {
    const id = await newNotebook();
    const first = await stream("POST", `/${id}/messages`, { text: "How do the tides work near the coast?" });
    expect(first.events.map((e) => e.event).filter((e) => e !== "delta")).toEqual(["start", "done", "title"]);
    expect(StreamTitle.parse(first.events.at(-1)!.data).notebook).toMatchObject({ id, title: "How do the tides work" });
    expect((await ann.agent.get(path(`/${id}`)).expect(200)).body.notebook.title).toBe("How do the tides work");
    const connection = await h.deps.database();
    const usage = await runAsSystem("test", () => usageEventModel(connection).find({ notebookId: id }).lean());
    expect(usage.map((u) => u.kind).sort()).toEqual(["reply", "title"]);
    expect(usage.find((u) => u.kind === "title")).toMatchObject({ idempotencyKey: `title:${id}`, modelId: "tandem.local-echo-v1" });
    // Named once: the next exchange keeps the title.
    const second = await stream("POST", `/${id}/messages`, { text: "And in a bay?" });
    expect(second.events.some((e) => e.event === "title")).toBe(false);

    // Five first messages at once: one title call, one title.
    const busy = await newNotebook();
    const all = await Promise.all(Array.from({ length: 5 }, (_, i) => stream("POST", `/${busy}/messages`, { text: `Question number ${i} about waves?` })));
    expect(all.filter((r) => r.events.some((e) => e.event === "title"))).toHaveLength(1);
    expect(await runAsSystem("test", () => usageEventModel(connection).countDocuments({ notebookId: busy, kind: "title" }))).toBe(1);

    // Its owner's name stays, whether given at creation or by a rename before the first reply.
    const named = await newNotebook({ title: "Tide tables" });
    expect((await stream("POST", `/${named}/messages`, { text: "What is a spring tide?" })).events.some((e) => e.event === "title")).toBe(false);
    const renamed = await newNotebook();
    await write(ann, "patch", path(`/${renamed}`)).send({ title: "Untitled notebook" }).expect(200);
    expect((await stream("POST", `/${renamed}/messages`, { text: "What is a neap tide?" })).events.some((e) => e.event === "title")).toBe(false);
    expect((await ann.agent.get(path(`/${renamed}`)).expect(200)).body.notebook.title).toBe("Untitled notebook");
  });
});

describe("regenerate, edit and delete", () => {
  it("regenerates only the latest reply, replacing it", async () => {
    const id = await newNotebook({ title: "Regenerate" });
    await stream("POST", `/${id}/messages`, { text: "First question?" });
    await stream("POST", `/${id}/messages`, { text: "Second question?" });
    const before = await messagesOf(id);
    const again = await stream("POST", `/${id}/messages/${before[3]!.id}/regenerate`, {});
    expect(again.status).toBe(200);
    const reply = doneOf(again.events);
    expect(reply).toMatchObject({ status: "complete", content: "You asked: Second question? This reply comes from the local test model." });
    const after = await messagesOf(id);
    expect(after.map((m) => m.id)).toEqual([...before.slice(0, 3).map((m) => m.id), reply.id]);
    expect(reply.id).not.toBe(before[3]!.id);
    // The model saw the conversation up to the question, not the reply it replaces.
    expect(standIn.requests.filter((r) => r.operation === "converse-stream").at(-1)!.turns).toEqual(["First question?", before[1]!.content, "Second question?"]);
    // An older reply, or a question that has its reply: 409, saying what to do instead.
    const older = await write(ann, "post", path(`/${id}/messages/${after[1]!.id}/regenerate`)).send({}).expect(409);
    expect(older.body).toMatchObject({ code: "message.not_latest", detail: expect.stringContaining("edit the question") });
    await write(ann, "post", path(`/${id}/messages/${after[2]!.id}/regenerate`)).send({}).expect(409);
    // A question left without its reply (the reply deleted) is answered again.
    await write(ann, "delete", path(`/${id}/messages/${reply.id}`)).expect(200);
    const answered = doneOf((await stream("POST", `/${id}/messages/${after[2]!.id}/regenerate`, {})).events);
    expect((await messagesOf(id)).map((m) => m.id)).toEqual([...after.slice(0, 3).map((m) => m.id), answered.id]);
  });

  it("edits a question and sends it again, replacing it and everything after it", async () => {
    const id = await newNotebook({ title: "Edit" });
    await stream("POST", `/${id}/messages`, { text: "What is the capital of Australia?" });
    await stream("POST", `/${id}/messages`, { text: "And its population?" });
    const before = await messagesOf(id);
    const edited = await stream("PATCH", `/${id}/messages/${before[0]!.id}`, { text: "What is the capital of Canada?" });
    expect(edited.status).toBe(200);
    const after = await messagesOf(id);
    expect(after.map((m) => `${m.role}:${m.content}`)).toEqual(["user:What is the capital of Canada?", "assistant:You asked: What is the capital of Canada? This reply comes from the local test model."]);
    expect(after.map((m) => m.id).filter((m) => before.some((b) => b.id === m))).toEqual([]);
    // The model saw the conversation before the edited question only: nothing of the replaced exchanges.
    expect(standIn.requests.filter((r) => r.operation === "converse-stream").at(-1)!.turns).toEqual(["What is the capital of Canada?"]);
    // A reply is not edited: it is regenerated.
    const refused = await write(ann, "patch", path(`/${id}/messages/${after[1]!.id}`)).send({ text: "Better answer" }).expect(409);
    expect(refused.body.code).toBe("message.not_editable");
    await write(ann, "patch", path(`/${id}/messages/${after[0]!.id}`)).send({ text: "" }).expect(400);
  });

  it("deletes a question with its reply, or a reply alone; refuses one being written", async () => {
    const id = await newNotebook({ title: "Delete" });
    await stream("POST", `/${id}/messages`, { text: "One?" });
    await stream("POST", `/${id}/messages`, { text: "Two?" });
    const [q1, r1, q2, r2] = await messagesOf(id);
    expect((await write(ann, "delete", path(`/${id}/messages/${q1!.id}`)).expect(200)).body.deleted.sort()).toEqual([q1!.id, r1!.id].sort());
    expect((await write(ann, "delete", path(`/${id}/messages/${r2!.id}`)).expect(200)).body.deleted).toEqual([r2!.id]);
    expect((await messagesOf(id)).map((m) => m.id)).toEqual([q2!.id]);
    expect((await write(ann, "delete", path(`/${id}/messages/${r2!.id}`)).expect(404)).body.code).toBe("message.not_found");

    // While a reply streams: deleting it, regenerating or editing is refused (stop it first).
    const controller = new AbortController();
    const long = stream("POST", `/${id}/messages`, { text: "stream 3000 tokens" }, controller);
    await expect.poll(async () => (await messagesOf(id)).some((m) => m.status === "streaming"), { timeout: 10_000 }).toBe(true);
    const streaming = (await messagesOf(id)).find((m) => m.status === "streaming")!;
    expect((await write(ann, "delete", path(`/${id}/messages/${streaming.id}`)).expect(409)).body.code).toBe("reply.in_progress");
    expect((await write(ann, "post", path(`/${id}/messages/${streaming.id}/regenerate`)).send({}).expect(409)).body.code).toBe("reply.in_progress");
    controller.abort();
    await long;
    await expect.poll(async () => (await messagesOf(id)).at(-1)?.status, { timeout: 10_000 }).toBe("stopped");
  });

  it("keeps another member out of a notebook's messages: 404 for each control", async () => {
    const id = await newNotebook({ title: "Private" });
    await stream("POST", `/${id}/messages`, { text: "Mine?" });
    const [question, reply] = await messagesOf(id);
    await write(bob, "post", path(`/${id}/messages/${reply!.id}/regenerate`)).send({}).expect(404);
    await write(bob, "patch", path(`/${id}/messages/${question!.id}`)).send({ text: "Theirs" }).expect(404);
    await write(bob, "delete", path(`/${id}/messages/${question!.id}`)).expect(404);
    expect(await messagesOf(id)).toHaveLength(2);
  });
});

describe("the image gallery", () => {
  it("deletes an image from the gallery and from storage; deleting again answers 404", async () => {
    const id = await newNotebook({ title: "Gallery" });
    const image = (await write(ann, "post", path(`/${id}/images`)).send({ prompt: "a tide pool", size: "512x512" }).expect(201)).body.image;
    const connection = await h.deps.database();
    const key = (await runAsSystem("test", () => generatedImageModel(connection).findOne({ _id: image.id }).lean()))!.key;
    await h.deps.storage.s3.send(new HeadObjectCommand({ Bucket: IMAGES, Key: key }));
    await write(bob, "delete", path(`/${id}/images/${image.id}`)).expect(404);
    await write(ann, "delete", path(`/${id}/images/${image.id}`)).expect(204);
    expect((await ann.agent.get(path(`/${id}/images`)).expect(200)).body.images).toEqual([]);
    await expect(h.deps.storage.s3.send(new HeadObjectCommand({ Bucket: IMAGES, Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    expect((await write(ann, "delete", path(`/${id}/images/${image.id}`)).expect(404)).body.code).toBe("image.not_found");
  });
});
