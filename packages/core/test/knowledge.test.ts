import { Document, Packer, Paragraph } from "docx";
import type { Connection } from "mongoose";
import { Types } from "mongoose";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { usageEventModel } from "../src/notebooks/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knowledgeSetup, type KnowledgeSetup } from "./knowledge-setup.js";
import { LOCAL_EMBEDDING_MODEL, LOCAL_TEST_MODEL, modelCatalog } from "../src/ai/index.js";
import { chunkPages, completeUpload, createUpload, deleteFile, extractText, knowledgeChunkModel, listFiles, retrievePassages, vectorBlockModel, type KnowledgeServices } from "../src/knowledge/index.js";
import { withTenant } from "../src/tenancy/index.js";
import { sendMessage, type Owner } from "../src/notebooks/index.js";

/**
 * Knowledge files end to end: a PDF and a DOCX made here, uploaded with the presigned POST to
 * moto's S3, extracted, chunked, embedded through the real SDK (Bedrock stand-in), retrieved, and
 * cited by a reply.
 */
let connection: Connection;
let services: KnowledgeServices;
const owner: Owner = { tenantId: new Types.ObjectId().toString(), userId: new Types.ObjectId().toString() };
let notebookId: string;
const BUCKET = "knowledge-test";

async function makePdf(pages: string[][]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage([595, 842]);
    lines.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - i * 18, size: 11, font }));
  }
  return pdf.save();
}

async function makeDocx(paragraphs: string[]): Promise<Uint8Array> {
  const doc = new Document({ sections: [{ children: paragraphs.map((p) => new Paragraph(p)) }] });
  return new Uint8Array(await Packer.toBuffer(doc));
}

/** The browser's part: a multipart POST of the presigned fields and the file to the bucket. */
async function upload(presigned: { url: string; fields: Record<string, string> }, bytes: Uint8Array, type: string): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(presigned.fields)) form.append(k, v);
  form.append("file", new Blob([bytes], { type }));
  return fetch(presigned.url, { method: "POST", body: form });
}

async function addFile(name: string, type: string, bytes: Uint8Array) {
  const { file, upload: presigned } = await createUpload(connection, owner, notebookId, { name, type, size: bytes.length }, services);
  const res = await upload(presigned, bytes, type);
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return completeUpload(connection, owner, notebookId, file.id, services);
}

let setup: KnowledgeSetup;
beforeAll(async () => {
  setup = await knowledgeSetup("core-knowledge-test", BUCKET, owner, "Research");
  ({ connection, services, notebookId } = setup);
});
afterAll(() => setup.close());

describe("extraction and chunking", () => {
  it("reads a PDF page by page, a DOCX, HTML without markup, Markdown and text", async () => {
    const pdf = await extractText(await makePdf([["Page one says hello."], ["Page two says goodbye."]]), "application/pdf");
    expect(pdf).toHaveLength(2);
    expect(pdf[1]).toContain("Page two says goodbye.");
    expect((await extractText(await makeDocx(["A paragraph in Word."]), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))[0]).toContain("A paragraph in Word.");
    const html = await extractText(new TextEncoder().encode("<h1>Title</h1><p>Body <b>text</b><script>x()</script></p>"), "text/html");
    expect(html[0]).toContain("Body text");
    expect(html[0]).not.toContain("<p>");
  });

  it("cuts long text into passages that keep their page", async () => {
    const chunks = await chunkPages(["short page", `${"word ".repeat(400)}\n\n${"other ".repeat(300)}`], 900);
    expect(chunks[0]).toMatchObject({ index: 0, page: 1, text: "short page" });
    expect(chunks.slice(1).every((c) => c.page === 2 && c.text.length <= 900)).toBe(true);
    expect(chunks.length).toBeGreaterThan(3);
  });
});

describe("knowledge files", () => {
  it("uploads a PDF and a DOCX through presigned POSTs, and retrieval finds the passage that answers", async () => {
    const pdf = await addFile("turbines.pdf", "application/pdf", await makePdf([["The annual report covers revenue and staff."], ["The Lyngby wind turbine produces 4.2 megawatts at full load.", "Its blades are 80 metres long."]]));
    expect(pdf).toMatchObject({ status: "ready", pages: 2 });
    const docx = await addFile("bakery.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", await makeDocx(["The bakery opens at seven.", "Sourdough bread is baked every morning with rye flour."]));
    expect(docx.status).toBe("ready");
    expect((await listFiles(connection, owner, notebookId)).map((f) => f.name)).toEqual(["turbines.pdf", "bakery.docx"]);

    const passages = await retrievePassages(connection, owner, notebookId, "How many megawatts does the Lyngby wind turbine produce?", { bedrock: services.bedrock, embeddingModel: LOCAL_EMBEDDING_MODEL });
    expect(passages[0]).toMatchObject({ n: 1, fileName: "turbines.pdf", page: 2 });
    expect(passages[0]!.text).toContain("4.2 megawatts");
    const bread = await retrievePassages(connection, owner, notebookId, "Which flour goes into the sourdough bread?", { bedrock: services.bedrock, embeddingModel: LOCAL_EMBEDDING_MODEL });
    expect(bread[0]).toMatchObject({ fileName: "bakery.docx" });
  });

  it("stores a ready file's vectors in quantised blocks beside its passages, and deleting the file removes both", async () => {
    const text = Array.from({ length: 3_000 }, (_, i) => `Paragraph ${i} tells of harbour ${i}, its ${i % 7} cranes and the ships that call there.`).join("\n\n");
    const file = await addFile("harbours.txt", "text/plain", new TextEncoder().encode(text));
    expect(file.status).toBe("ready");
    const count = () => withTenant(owner.tenantId, async () => ({ passages: await knowledgeChunkModel(connection).countDocuments({ fileId: file.id }), blocks: await vectorBlockModel(connection).find({ fileId: file.id }).lean() }));
    const stored = await count();
    expect(stored.passages).toBe(file.chunkCount);
    expect(stored.blocks.length).toBe(Math.ceil(file.chunkCount / 256));
    expect(stored.blocks.length).toBeGreaterThan(1);
    // Lean documents hold BSON binaries; 12 bytes an id.
    expect(stored.blocks.reduce((n, b) => n + (b.ids as unknown as { buffer: Uint8Array }).buffer.byteLength / 12, 0)).toBe(file.chunkCount);
    await deleteFile(connection, owner, notebookId, file.id, services);
    expect(await count()).toEqual({ passages: 0, blocks: [] });
  });

  it("answers with a citation of the file and passage it used", async () => {
    const reply = await sendMessage(connection, owner, notebookId, { text: "How many megawatts does the Lyngby wind turbine produce?" }, {
      bedrock: services.bedrock,
      catalog: modelCatalog([LOCAL_TEST_MODEL, LOCAL_EMBEDDING_MODEL]),
      policy: { allowedModelIds: [] },
    });
    expect(reply.content).toContain("[1]");
    expect(reply.citations?.[0]).toMatchObject({ n: 1, fileName: "turbines.pdf", page: 2 });
    expect(reply.citations?.[0]?.text).toContain("4.2 megawatts");
    // Every embedding call is metered: the files' passages when they were read, and this question.
    const embeddings = await withTenant(owner.tenantId, () => usageEventModel(connection).find({ kind: "embedding" }).lean());
    const question = embeddings.find((e) => e.idempotencyKey === `embedding:reply:${reply.id}`);
    expect(question).toMatchObject({ modelId: LOCAL_EMBEDDING_MODEL.id, outputTokens: 0 });
    expect(question!.inputTokens).toBeGreaterThan(5);
    const files = embeddings.filter((e) => e.idempotencyKey.startsWith("embedding:file:"));
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files.every((e) => e.inputTokens > 0)).toBe(true);
  });

  it("refuses a type or size the upload did not declare: at S3 by the policy, or after the upload", async () => {
    await expect(createUpload(connection, owner, notebookId, { name: "virus.exe", type: "application/x-msdownload", size: 10 }, services)).rejects.toMatchObject({ kind: "invalid_input" });
    await expect(createUpload(connection, owner, notebookId, { name: "huge.pdf", type: "application/pdf", size: 26 * 1024 * 1024 }, services)).rejects.toMatchObject({ kind: "invalid_input" });

    const bytes = new TextEncoder().encode("x".repeat(5000));
    const { file, upload: presigned } = await createUpload(connection, owner, notebookId, { name: "small.txt", type: "text/plain", size: 100 }, services);
    const res = await upload(presigned, bytes, "text/plain");
    if (res.status < 300) {
      // Accepted by this S3 (moto may not enforce every policy condition): the check after upload refuses it.
      await expect(completeUpload(connection, owner, notebookId, file.id, services)).rejects.toMatchObject({ code: "knowledge.mismatch" });
    } else {
      expect(await res.text()).toMatch(/EntityTooLarge|policy/i);
    }
  });
});
