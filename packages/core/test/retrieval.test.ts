import { startBedrockStandIn, standInEmbedding, type BedrockStandIn } from "@tandem/local";
import { Types, type Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createBedrockClient, LOCAL_EMBEDDING_MODEL } from "../src/ai/index.js";
import { closeConnection, getConnection } from "../src/database/index.js";
import { knowledgeChunkModel, knowledgeFileModel, packVector, retrievePassages, unpackVector } from "../src/knowledge/index.js";
import { withTenant } from "../src/tenancy/index.js";
import { bruteCosine as cosine, seeded as random } from "./brute-force.js";

/**
 * Retrieval's exact fallback (issue 9, item 3): vectors stored as float32 bytes, streamed through a
 * cursor with only the best k kept, must rank exactly as a brute-force ranking of the same data.
 */
let connection: Connection;
let standIn: BedrockStandIn;
const tenantId = new Types.ObjectId().toString();
const notebookId = new Types.ObjectId();
const fileId = new Types.ObjectId();

beforeAll(async () => {
  connection = await getConnection({ uri: `${inject("mongodbUri")}/core-retrieval-test` });
  await connection.dropDatabase();
  standIn = await startBedrockStandIn({ tokenDelayMs: 0 });
});
afterAll(async () => {
  await standIn.close();
  await closeConnection();
});

describe("retrieval's exact fallback", () => {
  it("ranks 1,500 passages exactly as a brute-force ranking does, float32 and older arrays alike", async () => {
    const next = random(7);
    const vectors = Array.from({ length: 1500 }, () => Array.from({ length: 256 }, next));
    await withTenant(tenantId, async () => {
      await knowledgeFileModel(connection).create({ _id: fileId, notebookId, userId: new Types.ObjectId(), name: "random.md", type: "text/markdown", size: 1, key: "k", status: "ready", chunkCount: vectors.length });
      await knowledgeChunkModel(connection).insertMany(
        // Every tenth stored the old way, as an array of numbers.
        vectors.map((v, i) => ({ fileId, notebookId, index: i, page: 1, text: `passage ${i}`, embedding: i % 10 === 0 ? v : packVector(v) })),
      );
    });
    const question = "Which passage is the closest?";
    const query = standInEmbedding(question);
    const expected = vectors
      .map((v, i) => ({ i, score: cosine(query, i % 10 === 0 ? v : new Float32Array(v)) }))
      .filter((r) => r.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, 8)
      .map((r) => `passage ${r.i}`);
    const bedrock = createBedrockClient({ endpoint: standIn.url, credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    const passages = await retrievePassages(connection, { tenantId, userId: new Types.ObjectId().toString() }, String(notebookId), question, { bedrock, embeddingModel: LOCAL_EMBEDDING_MODEL }, 8);
    expect(passages.map((p) => p.text)).toEqual(expected);
    expect(passages.map((p) => p.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("stores a vector in 4 bytes a dimension and reads it back", () => {
    const v = [0.5, -0.25, 1 / 3];
    const packed = packVector(v);
    expect(packed.byteLength).toBe(12);
    expect(Array.from(unpackVector(packed))).toEqual(Array.from(new Float32Array(v)));
    expect(unpackVector([1, 2])).toEqual([1, 2]);
  });
});
