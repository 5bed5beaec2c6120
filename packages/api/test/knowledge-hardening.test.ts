import type { Server } from "node:http";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { HealthResponse } from "@tandem/client/contract";
import { heavyDocx, startBedrockStandIn, zipBomb, type BedrockStandIn } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { identityHarness, type IdentityHarness, type SignedIn } from "./helpers.js";

/**
 * Issue 8 over HTTP: the API answers its health probe within 100 ms while a hostile DOCX is being
 * processed (item 1), serves knowledge files back as safe types (item 10), and reports storage in
 * /api/health and answers 503 with the reason while storage is down (item 9).
 */
const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const BUCKET = "api-hardening-knowledge";
let standIn: BedrockStandIn;
let h: IdentityHarness;
let ann: SignedIn;
let orgId: string;
let notebookId: string;
let server: Server;
let base: string;

const write = (method: "post" | "delete", p: string) => ann.agent[method](p).set("x-csrf-token", ann.csrf);
const files = (p = "") => `/api/orgs/${orgId}/notebooks/${notebookId}/files${p}`;

/** The file once its queued reading has ended (ready or failed), as the notebook's list shows it. */
async function settled(id: string, timeout = 60_000): Promise<{ id: string; status: string; error?: string; chunkCount: number; embedded: number }> {
  const started = Date.now();
  for (;;) {
    const listed = (await ann.agent.get(files()).expect(200)).body.files as Array<{ id: string; status: string; error?: string; chunkCount: number; embedded: number }>;
    const file = listed.find((f) => f.id === id)!;
    if (file.status !== "processing" || Date.now() - started > timeout) return file;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Registers a file, uploads it with the presigned POST, and returns its id. */
async function uploaded(name: string, type: string, bytes: Uint8Array): Promise<string> {
  const registered = await write("post", files()).send({ name, type, size: bytes.length }).expect(201);
  const form = new FormData();
  for (const [k, v] of Object.entries(registered.body.upload.fields as Record<string, string>)) form.append(k, v);
  form.append("file", new Blob([bytes], { type }));
  expect((await fetch(registered.body.upload.url, { method: "POST", body: form })).status).toBeLessThan(300);
  return registered.body.file.id as string;
}

beforeAll(async () => {
  standIn = await startBedrockStandIn({ tokenDelayMs: 0 });
  h = await identityHarness("api-knowledge-hardening-test", { source: { ...inject("awsEnv"), AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url, KNOWLEDGE_FILES_BUCKET: BUCKET, GENERATED_IMAGES_BUCKET: BUCKET } });
  await h.deps.storage.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  ann = await h.member("ann@example.com", "Ann");
  orgId = (await write("post", "/api/orgs").send({ name: "Ann Co", slug: "ann-co" }).expect(201)).body.organisation.id;
  notebookId = (await write("post", `/api/orgs/${orgId}/notebooks`).send({ title: "Files" }).expect(201)).body.notebook.id;
  server = h.app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server?.close();
  await standIn?.close();
  await h?.close();
});

describe("hostile documents over HTTP (item 1)", () => {
  it("answers /api/health within 100 ms while a hostile DOCX is processed, and ends the file failed with the reason", async () => {
    const heavy = await uploaded("heavy.docx", DOCX, heavyDocx(7.5));
    const timings: number[] = [];
    const { monitorEventLoopDelay } = await import("node:perf_hooks");
    const eld = monitorEventLoopDelay({ resolution: 5 });
    eld.enable();
    // Completing only queues the reading: the answer comes at once, the reading happens after it.
    const queued = await write("post", files(`/${heavy}/complete`)).send().expect(202);
    expect(queued.body.file).toMatchObject({ status: "processing" });
    let done = false;
    const completing = settled(heavy).finally(() => (done = true));
    while (!done) {
      const started = performance.now();
      const res = await fetch(`${base}/api/health`);
      timings.push(performance.now() - started);
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 25));
    }
    const file = await completing;
    expect(file).toMatchObject({ status: "failed", error: expect.stringMatching(/needed more memory than Tandem allows|took longer than/) });
    const sorted = [...timings].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
    console.log(
      `health during hostile extraction: ${timings.length} probes, median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${at(1).toFixed(1)} ms; event-loop delay p99 ${(eld.percentile(99) / 1e6).toFixed(1)} ms, max ${(eld.max / 1e6).toFixed(1)} ms`,
    );
    // Extraction on the event loop (before the fix) held every probe for seconds. The bound is on
    // the 95th percentile: on two shared cores a single probe can wait for the CPU behind the
    // database and storage processes it calls, whatever the API does.
    expect(timings.length).toBeGreaterThan(5);
    expect(at(0.95)).toBeLessThan(100);
    expect(eld.percentile(99) / 1e6).toBeLessThan(100);
    const listed = (await ann.agent.get(files()).expect(200)).body.files as Array<{ id: string; status: string; error?: string }>;
    expect(listed.find((f) => f.id === heavy)).toMatchObject({ status: "failed", error: expect.stringMatching(/needed more memory than Tandem allows|took longer than/) });
  });

  it("refuses the 77 KB DOCX that expands to 51 MB, saying why", async () => {
    const bomb = zipBomb();
    const id = await uploaded("bomb.docx", DOCX, bomb);
    await write("post", files(`/${id}/complete`)).send().expect(202);
    expect(await settled(id)).toMatchObject({ status: "failed", error: expect.stringMatching(/^This DOCX expands to more than 8 MB of text when unpacked/) });
  });
});

describe("serving knowledge files back (item 10)", () => {
  const served = async (name: string, type: string, text: string) => {
    const id = await uploaded(name, type, new TextEncoder().encode(text));
    await write("post", files(`/${id}/complete`)).send().expect(202);
    expect((await settled(id)).status).toBe("ready");
    const link = await ann.agent.get(files(`/${id}/content`)).expect(302);
    const res = await fetch(link.headers.location!);
    expect(res.status).toBe(200);
    return { type: res.headers.get("content-type"), disposition: res.headers.get("content-disposition"), text: await res.text() };
  };

  it("serves HTML as a plain-text attachment, never as a page that runs its scripts", async () => {
    const html = await served("page.html", "text/html", "<h1>Hello</h1><script>alert(document.cookie)</script>");
    expect(html.type).toBe("text/plain; charset=utf-8");
    expect(html.disposition).toBe("attachment; filename=page.html");
  });

  it("serves Markdown and text as UTF-8, so Tromsø reads as Tromsø", async () => {
    const md = await served("Tromsø.md", "text/markdown", "# Tromsø\n\nThe library in Tromsø opens at nine.");
    expect(md.type).toBe("text/markdown; charset=utf-8");
    expect(md.disposition).toBe(`inline; filename="Troms?.md"; filename*=UTF-8''Troms%C3%B8.md`);
    expect(new TextDecoder("utf-8").decode(new TextEncoder().encode(md.text))).toContain("Tromsø opens");
    const txt = await served("notes.txt", "text/plain", "Tromsø");
    expect(txt.type).toBe("text/plain; charset=utf-8");
  });
});

describe("storage in health, and storage outages (item 9)", () => {
  it("reports storage beside the database in /api/health", async () => {
    const body = HealthResponse.parse((await fetch(`${base}/api/health`).then((r) => r.json())) as unknown);
    expect(body).toMatchObject({ status: "ok", checks: { database: { status: "up" }, storage: { status: "up" } } });
  });

  it("says storage is unavailable (503, degraded health, clear messages) while S3 does not answer", async () => {
    // The same API, with S3 on a closed port.
    const down = await identityHarness("api-knowledge-hardening-test", {
      source: { ...inject("awsEnv"), AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9", AWS_ENDPOINT_URL_BEDROCK_RUNTIME: standIn.url, KNOWLEDGE_FILES_BUCKET: BUCKET, GENERATED_IMAGES_BUCKET: BUCKET },
    });
    try {
      const bob = await down.member("bob@example.com", "Bob");
      const post = (p: string) => bob.agent.post(p).set("x-csrf-token", bob.csrf);
      const org = (await post("/api/orgs").send({ name: "Bob Co", slug: "bob-co" }).expect(201)).body.organisation.id as string;
      const nb = (await post(`/api/orgs/${org}/notebooks`).send({ title: "Down" }).expect(201)).body.notebook.id as string;

      const started = performance.now();
      const health = await bob.agent.get("/api/health").expect(200);
      expect(performance.now() - started).toBeLessThan(2_500);
      expect(health.body).toMatchObject({ status: "degraded", checks: { database: { status: "up" }, storage: { status: "down", reason: expect.stringMatching(/^The file storage bucket did not answer/) } } });

      const image = await post(`/api/orgs/${org}/notebooks/${nb}/images`).send({ prompt: "a lighthouse", size: "512x512" }).expect(503);
      expect(image.body).toMatchObject({ code: "storage.unavailable", detail: expect.stringMatching(/^File storage is not answering right now, so the image could not be saved\. Nothing is lost; try again in a few minutes\./) });

      const registered = await post(`/api/orgs/${org}/notebooks/${nb}/files`).send({ name: "a.md", type: "text/markdown", size: 5 }).expect(201);
      const complete = await post(`/api/orgs/${org}/notebooks/${nb}/files/${registered.body.file.id}/complete`).send().expect(503);
      expect(complete.body.code).toBe("storage.unavailable");
      expect(complete.body.detail).not.toMatch(/upload it again/i);
      const remove = await bob.agent.delete(`/api/orgs/${org}/notebooks/${nb}/files/${registered.body.file.id}`).set("x-csrf-token", bob.csrf).expect(503);
      expect(remove.body.detail).toMatch(/the file could not be deleted/);
    } finally {
      await down.mail.close();
    }
  });
});
