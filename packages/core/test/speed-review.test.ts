import { standInEmbedding } from "@tandem/local";
import { Types, type Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { knowledgeSetup, type KnowledgeSetup } from "./knowledge-setup.js";
import { detectCapabilities, leaseModel } from "../src/database/index.js";
import { purgeExpiredData } from "../src/housekeeping/index.js";
import { completeUpload, createUpload, knowledgeChunkModel, knowledgeFileModel, packVector, processFile, retrievePassages, topK, vectorBlockModel, vectorBlocks, type KnowledgeServices } from "../src/knowledge/index.js";
import { createNotebook, listNotebooks, messageModel, type Owner } from "../src/notebooks/index.js";
import { withTenant } from "../src/tenancy/index.js";
import { createOrganisation, membershipModel, removeMember, requireMember } from "../src/tenants/index.js";
import { bruteCosine } from "./brute-force.js";

/**
 * Review of issue 9 ("speed at scale"): a second delivery of a knowledge job while the first is
 * storing the passages, retrieval over passages whose bounds cannot be told apart, and ranking
 * with scores that are not numbers.
 */
let setup: KnowledgeSetup;
let connection: Connection;
let services: KnowledgeServices;
let notebookId: string;
const owner: Owner = { tenantId: new Types.ObjectId().toString(), userId: new Types.ObjectId().toString() };

beforeAll(async () => {
  setup = await knowledgeSetup("core-speed-review-test", "speed-review-test", owner, "Review");
  ({ connection, services, notebookId } = setup);
});
afterAll(() => setup.close());

async function upload(name: string, text: string) {
  const bytes = new TextEncoder().encode(text);
  const { file, upload: presigned } = await createUpload(connection, owner, notebookId, { name, type: "text/plain", size: bytes.length }, services);
  const form = new FormData();
  for (const [k, v] of Object.entries(presigned.fields)) form.append(k, v);
  form.append("file", new Blob([bytes], { type: "text/plain" }));
  expect((await fetch(presigned.url, { method: "POST", body: form })).status).toBeLessThan(300);
  return file;
}

describe("two deliveries of the same knowledge job", () => {
  it("a delivery that finds the passages being stored by another leaves the file to it, instead of failing it", async () => {
    const jobs: unknown[] = [];
    const queued: KnowledgeServices = { ...services, queue: { enqueue: async (job) => void jobs.push(job) } };
    const file = await upload("twice.txt", "The lighthouse keeper logs the weather every night.\n\nShips pass at dawn.");
    expect((await completeUpload(connection, owner, notebookId, file.id, queued)).status).toBe("processing");
    expect(jobs).toHaveLength(1);
    // The first delivery is storing the file's passages: it holds the file's lease.
    await leaseModel(connection).create({ key: `knowledge:${file.id}`, holder: "first-delivery", expiresAt: new Date(Date.now() + 10 * 60_000) });
    // The second delivery of the same job reads and embeds too, then finds the lease taken.
    await processFile(connection, owner, notebookId, file.id, queued, { lastAttempt: true });
    const during = await withTenant(owner.tenantId, () => knowledgeFileModel(connection).findById(file.id).lean());
    expect(during?.status).toBe("processing");
    expect(during?.error ?? null).toBeNull();
    // The first delivery finishes (here: its lease ends and the job runs to the end).
    await leaseModel(connection).deleteOne({ key: `knowledge:${file.id}` });
    await processFile(connection, owner, notebookId, file.id, queued);
    const after = await withTenant(owner.tenantId, () => knowledgeFileModel(connection).findById(file.id).lean());
    expect(after?.status).toBe("ready");
  }, 30_000);
});

describe("retrieval over passages whose bounds overlap", () => {
  it("reads a file of 1,200 identical passages in a bounded number of queries, not one query per passage", async () => {
    const question = "What does the repeated paragraph say?";
    const query = Array.from(standInEmbedding(question));
    const vector = query.map((x, i) => x + (i % 2 ? 0.01 : -0.01));
    const fileId = new Types.ObjectId();
    const count = 1_200;
    await withTenant(owner.tenantId, async () => {
      await knowledgeFileModel(connection).create({ _id: fileId, notebookId, userId: owner.userId, name: "same.txt", type: "text/plain", size: 1, key: "k", status: "ready", chunkCount: count, vectorBlocks: Math.ceil(count / 256) });
      const inserted = await knowledgeChunkModel(connection).insertMany(Array.from({ length: count }, (_, i) => ({ fileId, notebookId, index: i, page: 1, text: `same ${i}`, embedding: packVector(vector) })));
      await vectorBlockModel(connection).insertMany(vectorBlocks(fileId, new Types.ObjectId(notebookId), inserted.map((c) => c._id), Array.from({ length: count }, () => vector)));
    });
    const collection = knowledgeChunkModel(connection).collection;
    const findOne = vi.spyOn(collection, "findOne");
    const find = vi.spyOn(collection, "find");
    try {
      const passages = await retrievePassages(connection, owner, notebookId, question, services, 4);
      expect(passages).toHaveLength(4);
      const expected = bruteCosine(query, new Float32Array(vector));
      for (const p of passages) {
        expect(p.fileName).toBe("same.txt");
        expect(p.score).toBeCloseTo(expected, 6);
      }
      // Every passage ties: the ranking cannot stop early, but it must not cost a round trip each.
      expect(findOne.mock.calls.length + find.mock.calls.length).toBeLessThan(100);
    } finally {
      findOne.mockRestore();
      find.mockRestore();
      await withTenant(owner.tenantId, async () => {
        await knowledgeChunkModel(connection).deleteMany({ fileId });
        await vectorBlockModel(connection).deleteMany({ fileId });
        await knowledgeFileModel(connection).deleteOne({ _id: fileId });
      });
    }
  }, 60_000);
});

describe("the best k of a stream of scores", () => {
  it("ignores scores that are not numbers (a vector with NaN or Infinity), which would otherwise hold a place", () => {
    const ranking = topK(2);
    ranking.offer({ id: "a", score: 0.9 });
    ranking.offer({ id: "nan", score: Number.NaN });
    ranking.offer({ id: "b", score: 0.5 });
    ranking.offer({ id: "inf", score: Number.POSITIVE_INFINITY });
    expect(ranking.best.map((b) => b.id)).toEqual(["a", "b"]);
  });
});

describe("search over messages stored before they had a week", () => {
  it("finds them once housekeeping has given them their week, and stops looking once none is left", async () => {
    const person: Owner = { tenantId: owner.tenantId, userId: new Types.ObjectId().toString() };
    const notebook = await createNotebook(connection, person, { title: "Harbour" }, { modelId: "tandem.local-echo-v1" });
    const at = new Date(Date.now() - 3 * 24 * 3600_000);
    // As the previous release stored it: no `week`.
    await messageModel(connection).collection.insertOne({ tenantId: new Types.ObjectId(person.tenantId), notebookId: new Types.ObjectId(notebook.id), userId: new Types.ObjectId(person.userId), role: "user", content: "The narwhal surfaced by the pier.", status: "complete", createdAt: at, updatedAt: at });
    const removed = await purgeExpiredData(connection);
    const found = await listNotebooks(connection, person, { query: "narwhal" });
    expect(found.notebooks.map((n) => n.id)).toEqual([notebook.id]);
    expect(removed.notebook_messages_weeks_backfilled).toBe(1);
    if (!(await detectCapabilities(connection)).textSearch) expect(found.searchedMessages).toBe(1);
    expect((await messageModel(connection).collection.findOne({ notebookId: new Types.ObjectId(notebook.id) }))?.week).toBe(Math.floor(at.getTime() / (7 * 24 * 3600_000)));
    // A run that finds none marks the backfill done; a day later the query is no longer made.
    expect((await purgeExpiredData(connection)).notebook_messages_weeks_backfilled).toBe(0);
    await messageModel(connection).collection.insertOne({ tenantId: new Types.ObjectId(person.tenantId), notebookId: new Types.ObjectId(notebook.id), userId: new Types.ObjectId(person.userId), role: "user", content: "late", status: "complete", createdAt: at, updatedAt: at });
    expect((await purgeExpiredData(connection, new Date(Date.now() + 3_600_000))).notebook_messages_weeks_backfilled).toBe(1);
    await messageModel(connection).collection.insertOne({ tenantId: new Types.ObjectId(person.tenantId), notebookId: new Types.ObjectId(notebook.id), userId: new Types.ObjectId(person.userId), role: "user", content: "later", status: "complete", createdAt: at, updatedAt: at });
    expect((await purgeExpiredData(connection, new Date(Date.now() + 2 * 24 * 3_600_000))).notebook_messages_weeks_backfilled).toBe(0);
  });
});

describe("the access cache's membership entries", () => {
  it("forgets a removed member whatever the case of the organisation id they used", async () => {
    const ownerId = new Types.ObjectId().toString();
    const memberId = new Types.ObjectId().toString();
    const org = await createOrganisation(connection, ownerId, { name: "Case Study", slug: `case-${Date.now()}` });
    await withTenant(org.id, () => membershipModel(connection).create({ userId: memberId, role: "member" }));
    // The member's requests name the organisation in capitals (an ObjectId is any hex case).
    const shouted = org.id.toUpperCase();
    expect((await requireMember(connection, shouted, memberId, "member", { cached: true })).role).toBe("member");
    await removeMember(connection, org.id, { userId: ownerId, role: "owner" }, memberId);
    // Removed through this process: the next request is refused at once, in any spelling.
    await expect(requireMember(connection, shouted, memberId, "member", { cached: true })).rejects.toMatchObject({ code: "organisation.not_found" });
    await expect(requireMember(connection, org.id, memberId, "member", { cached: true })).rejects.toMatchObject({ code: "organisation.not_found" });
  });
});
