import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { Types } from "mongoose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completePendingDeletions, deleteNotebookAndData, LAST_PASS_AFTER_MS } from "../src/deletion/index.js";
import { generatedImageModel } from "../src/images/index.js";
import { completeUpload, createUpload, knowledgeChunkModel, knowledgeFileModel, vectorBlockModel } from "../src/knowledge/index.js";
import { createNotebook, getNotebook, messageModel, usageEventModel } from "../src/notebooks/index.js";
import { LOCAL_TEST_MODEL } from "../src/ai/index.js";
import { withTenant } from "../src/tenancy/index.js";
import { knowledgeSetup, type KnowledgeSetup } from "./knowledge-setup.js";

/**
 * Deleting a notebook removes what it held, in the database and in both buckets, and nothing of
 * another notebook's; storage failing half-way leaves a record that housekeeping finishes, and a
 * last pass an hour later removes what arrived late.
 */
const FILES = "core-deletion-files";
const IMAGES = "core-deletion-images";
const owner = { tenantId: new Types.ObjectId().toString(), userId: new Types.ObjectId().toString() };
let setup: KnowledgeSetup;

beforeAll(async () => {
  setup = await knowledgeSetup("core-deletion-test", FILES, owner, "Doomed");
  await setup.s3.send(new CreateBucketCommand({ Bucket: IMAGES }));
}, 120_000);
afterAll(() => setup?.close());

/** A notebook with a processed file, an image, a message and a model call on the bill. */
async function filledNotebook(title: string) {
  const { connection, services, s3 } = setup;
  const notebookId = (await createNotebook(connection, owner, { title }, { modelId: LOCAL_TEST_MODEL.id })).id;
  const bytes = new TextEncoder().encode(`The ${title} notebook's notes about tides and harbours.`);
  const { file, upload } = await createUpload(connection, owner, notebookId, { name: "notes.txt", type: "text/plain", size: bytes.length }, services);
  const form = new FormData();
  for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
  form.append("file", new Blob([bytes], { type: "text/plain" }));
  expect((await fetch(upload.url, { method: "POST", body: form })).status).toBeLessThan(300);
  expect((await completeUpload(connection, owner, notebookId, file.id, services)).status).toBe("ready");
  await withTenant(owner.tenantId, async () => {
    const image = await generatedImageModel(connection).create({ notebookId, userId: owner.userId, prompt: "a harbour", modelId: "m", key: `tenants/${owner.tenantId}/notebooks/${notebookId}/images/one.png`, width: 1, height: 1 });
    await s3.send(new PutObjectCommand({ Bucket: IMAGES, Key: image.key, Body: "png" }));
    await messageModel(connection).create({ notebookId, userId: owner.userId, role: "user", content: "Hello", status: "complete" });
    await usageEventModel(connection).create({ idempotencyKey: `reply:${notebookId}`, userId: owner.userId, notebookId, modelId: "m", inputTokens: 1, outputTokens: 1, costUsd: 0.01, status: "complete", at: new Date() });
  });
  return notebookId;
}

async function held(notebookId: string) {
  const { connection, s3 } = setup;
  const counts = await withTenant(owner.tenantId, async () => ({
    messages: await messageModel(connection).countDocuments({ notebookId }),
    files: await knowledgeFileModel(connection).countDocuments({ notebookId }),
    chunks: await knowledgeChunkModel(connection).countDocuments({ notebookId }),
    vectorBlocks: await vectorBlockModel(connection).countDocuments({ notebookId }),
    images: await generatedImageModel(connection).countDocuments({ notebookId }),
    usage: await usageEventModel(connection).countDocuments({ notebookId }),
  }));
  const objects = async (bucket: string) => (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `tenants/${owner.tenantId}/notebooks/${notebookId}/` }))).KeyCount ?? 0;
  return { ...counts, fileObjects: await objects(FILES), imageObjects: await objects(IMAGES) };
}

describe("deleting a notebook", () => {
  it("removes its messages, files, passages, vectors and images, keeps the bill, and leaves other notebooks alone", async () => {
    const doomed = await filledNotebook("Doomed");
    const kept = await filledNotebook("Kept");
    const full = await held(doomed);
    expect(full).toMatchObject({ messages: 1, files: 1, images: 1, fileObjects: 1, imageObjects: 1 });
    expect(full.chunks).toBeGreaterThan(0);
    expect(full.vectorBlocks).toBeGreaterThan(0);
    // The reply and the file's embedding.
    expect(full.usage).toBe(2);
    const keptBefore = await held(kept);
    expect(keptBefore).toEqual(full);

    expect(await deleteNotebookAndData(setup.connection, owner, doomed, { s3: setup.s3, buckets: [FILES, IMAGES] })).toEqual({ complete: true });
    await expect(getNotebook(setup.connection, owner, doomed)).rejects.toMatchObject({ code: "notebook.not_found" });
    expect(await held(doomed)).toEqual({ messages: 0, files: 0, chunks: 0, vectorBlocks: 0, images: 0, usage: 2, fileObjects: 0, imageObjects: 0 });
    expect(await held(kept)).toEqual(keptBefore);
  }, 60_000);

  it("is finished by housekeeping when storage fails half-way, and a last pass an hour later removes a late upload", async () => {
    const notebookId = await filledNotebook("Interrupted");
    // A bucket that does not answer for this notebook: the first removal stops there.
    const first = await deleteNotebookAndData(setup.connection, owner, notebookId, { s3: setup.s3, buckets: ["core-deletion-missing", FILES, IMAGES] });
    expect(first).toEqual({ complete: false });
    await expect(getNotebook(setup.connection, owner, notebookId)).rejects.toMatchObject({ code: "notebook.not_found" });
    expect((await held(notebookId)).fileObjects).toBe(1);
    const record = await setup.connection.collection("pending_deletions").findOne({ _id: `notebook:${notebookId}` as never });
    expect(record).toMatchObject({ attempts: 1, lastError: expect.any(String) });

    // Housekeeping, with storage answering.
    const now = new Date();
    expect(await completePendingDeletions(setup.connection, { s3: setup.s3, buckets: [FILES, IMAGES] }, now)).toBeGreaterThanOrEqual(1);
    expect(await held(notebookId)).toMatchObject({ messages: 0, files: 0, chunks: 0, vectorBlocks: 0, images: 0, fileObjects: 0, imageObjects: 0 });

    // An upload through a link given out before arrives late; the last pass an hour on removes it, and the record goes.
    await setup.s3.send(new PutObjectCommand({ Bucket: FILES, Key: `tenants/${owner.tenantId}/notebooks/${notebookId}/files/late`, Body: "late" }));
    await completePendingDeletions(setup.connection, { s3: setup.s3, buckets: [FILES, IMAGES] }, new Date(now.getTime() + 10 * 60_000));
    expect(await setup.connection.collection("pending_deletions").countDocuments({ _id: `notebook:${notebookId}` as never })).toBe(1);
    await completePendingDeletions(setup.connection, { s3: setup.s3, buckets: [FILES, IMAGES] }, new Date(now.getTime() + LAST_PASS_AFTER_MS + 60_000));
    expect((await held(notebookId)).fileObjects).toBe(0);
    expect(await setup.connection.collection("pending_deletions").countDocuments({ _id: `notebook:${notebookId}` as never })).toBe(0);
  }, 60_000);
});
