import { startBedrockStandIn, standInEmbedding, type BedrockStandIn } from "@tandem/local";
import fc from "fast-check";
import { Types, type Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createBedrockClient, LOCAL_EMBEDDING_MODEL } from "../src/ai/index.js";
import { closeConnection, getConnection } from "../src/database/index.js";
import { blockBounds, knowledgeChunkModel, knowledgeFileModel, packVector, queryNorms, retrievePassages, vectorBlockModel, vectorBlocks, type Bounded } from "../src/knowledge/index.js";
import { withTenant } from "../src/tenancy/index.js";
import { bruteCosine as cosine, seeded as random } from "./brute-force.js";

/**
 * Retrieval over quantised vector blocks (issue 9, item 3): the blocks only bound each passage's
 * similarity, and the exact ranking is finished on the float32 vectors of the passages that can
 * still win, so the result must equal a brute-force ranking of the stored vectors, whatever the data.
 */
describe("the bounds of a quantised block", () => {
  it("always hold the true cosine similarity of the stored float32 vector", () => {
    const component = fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(0, 1e-30, -1e-30, 1e6, -1e6), fc.double({ min: -1e3, max: 1e3, noNaN: true }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 48 }), fc.array(fc.array(component, { minLength: 48, maxLength: 48 }), { minLength: 1, maxLength: 20 }), fc.array(component, { minLength: 48, maxLength: 48 }), (dimensions, rows, q) => {
        const vectors = rows.map((r) => r.slice(0, dimensions));
        const query = new Float32Array(q.slice(0, dimensions));
        const ids = vectors.map(() => new Types.ObjectId());
        const [block] = vectorBlocks(new Types.ObjectId(), new Types.ObjectId(), ids, vectors);
        const seen: Bounded[] = [];
        blockBounds(query, queryNorms(query), block as never, (b) => seen.push(b));
        for (const bound of seen) {
          const i = ids.findIndex((id) => id.equals(bound.id as Types.ObjectId));
          const exact = cosine(query, new Float32Array(vectors[i]!));
          expect(bound.lower).toBeLessThanOrEqual(exact);
          expect(bound.upper).toBeGreaterThanOrEqual(exact);
        }
        // Zero vectors have no direction and are skipped; every other one is bounded.
        expect(seen.length).toBe(queryNorms(query).l2 === 0 ? 0 : vectors.filter((v) => v.some((x) => Math.fround(x) !== 0)).length);
      }),
      { numRuns: 300 },
    );
  });
});

describe("blocks of other dimensions", () => {
  it("are not compared with a question embedded by a model of other dimensions", () => {
    const [block] = vectorBlocks(new Types.ObjectId(), new Types.ObjectId(), [new Types.ObjectId()], [[0.5, 0.5, 0.5, 0.5]]);
    const offered: Bounded[] = [];
    const query = new Float32Array([0.5, 0.5, 0.5]);
    blockBounds(query, queryNorms(query), block as never, (b) => offered.push(b));
    expect(offered).toEqual([]);
    const same = new Float32Array([0.5, 0.5, 0.5, 0.5]);
    blockBounds(same, queryNorms(same), block as never, (b) => offered.push(b));
    expect(offered).toHaveLength(1);
  });
});

describe("retrieval over vector blocks", () => {
  let connection: Connection;
  let standIn: BedrockStandIn;
  beforeAll(async () => {
    connection = await getConnection({ uri: `${inject("mongodbUri")}/core-vector-blocks-test` });
    await connection.dropDatabase();
    standIn = await startBedrockStandIn({ tokenDelayMs: 0 });
  });
  afterAll(async () => {
    await standIn.close();
    await closeConnection();
  });

  it("ranks exactly as brute force over blocked files, near-duplicates and a file stored before blocks, and nothing of another notebook or tenant", async () => {
    const tenantId = new Types.ObjectId().toString();
    const otherTenant = new Types.ObjectId().toString();
    const notebookId = new Types.ObjectId();
    const question = "Which passage answers this best?";
    const query = standInEmbedding(question);
    const next = random(23);
    const spread = Array.from({ length: 700 }, () => Array.from({ length: 256 }, next));
    // Near-duplicates of the query: many passages whose bounds overlap, so the exact step reads more than one round.
    const crowd = Array.from({ length: 60 }, () => Array.from(query, (x) => x + next() * 0.02));
    const older = Array.from({ length: 200 }, () => Array.from({ length: 256 }, next));
    const files = [
      { id: new Types.ObjectId(), vectors: spread, blocks: true },
      { id: new Types.ObjectId(), vectors: crowd, blocks: true },
      { id: new Types.ObjectId(), vectors: older, blocks: false },
    ];
    const store = async (tenant: string, notebook: Types.ObjectId, file: { id: Types.ObjectId; vectors: number[][]; blocks: boolean }, label: string) =>
      withTenant(tenant, async () => {
        await knowledgeFileModel(connection).create({ _id: file.id, notebookId: notebook, userId: new Types.ObjectId(), name: `${label}.md`, type: "text/markdown", size: 1, key: "k", status: "ready", chunkCount: file.vectors.length, ...(file.blocks ? { vectorBlocks: Math.ceil(file.vectors.length / 256) } : {}) });
        const inserted = await knowledgeChunkModel(connection).insertMany(file.vectors.map((v, i) => ({ fileId: file.id, notebookId: notebook, index: i, page: 1, text: `${label} ${i}`, embedding: packVector(v) })));
        if (file.blocks) await vectorBlockModel(connection).insertMany(vectorBlocks(file.id, notebook, inserted.map((c) => c._id), file.vectors));
      });
    for (const [n, file] of files.entries()) await store(tenantId, notebookId, file, `file${n}`);
    // The query itself, stored in another tenant and in another notebook of this tenant: never returned.
    await store(otherTenant, notebookId, { id: new Types.ObjectId(), vectors: [Array.from(query)], blocks: true }, "foreign");
    await store(tenantId, new Types.ObjectId(), { id: new Types.ObjectId(), vectors: [Array.from(query)], blocks: true }, "elsewhere");

    const expected = files
      .flatMap((file, n) => file.vectors.map((v, i) => ({ text: `file${n} ${i}`, score: cosine(query, new Float32Array(v)) })))
      .filter((r) => r.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, 12);
    const bedrock = createBedrockClient({ endpoint: standIn.url, credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    const passages = await retrievePassages(connection, { tenantId, userId: new Types.ObjectId().toString() }, String(notebookId), question, { bedrock, embeddingModel: LOCAL_EMBEDDING_MODEL }, 12);
    expect(passages.map((p) => p.text)).toEqual(expected.map((e) => e.text));
    passages.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i]!.score, 6));
    // The crowd is closest to the query, so the answer is the crowd's best twelve.
    expect(passages.every((p) => p.fileName === "file1.md")).toBe(true);
  });
});
