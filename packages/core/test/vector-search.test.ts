import type mongoose from "mongoose";
import { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { documentDbHasVectorSearch } from "../src/database/index.js";
import { cosineFromScore, engineVector, VECTOR_FIELD, vectorIndexCommand, vectorSearchPipeline } from "../src/knowledge/vector-search.js";

/**
 * The engines' vector search path (issue 9, item 3). No DocumentDB cluster or MongoDB search node
 * can run on the machines Tandem is built on, so the index commands and pipelines are checked
 * against the syntax the engines document, transcribed here as schemas:
 * - DocumentDB: "Vector indexes" and "Vector search for Amazon DocumentDB" (developer guide):
 *   createIndexes with key { <field>: "vector" }, name, vectorOptions { type hnsw | ivfflat,
 *   dimensions, similarity euclidean | cosine | dotProduct, m, efConstruction | lists }; queries
 *   as a first stage { $search: { vectorSearch: { vector, path, similarity, k, efSearch | probes } } }.
 * - MongoDB: "Run Vector Search Queries" ($vectorSearch: index, path, queryVector, numCandidates
 *   <= 10000 and >= limit, limit, filter on fields indexed as type "filter", first stage) and the
 *   vectorSearch index definition (fields of type "vector" with numDimensions <= 8192 and
 *   similarity, and of type "filter").
 */
const similarity = z.enum(["euclidean", "cosine", "dotProduct"]);
const int = z.number().int();

const documentDbIndex = z
  .object({
    createIndexes: z.string().min(1),
    indexes: z
      .array(
        z
          .object({
            key: z.record(z.string(), z.literal("vector")).refine((key) => Object.keys(key).length === 1, "one vector field"),
            name: z.string().min(1),
            vectorOptions: z.union([
              z.object({ type: z.literal("hnsw"), dimensions: int.min(1).max(2000), similarity, m: int.min(2).max(100).optional(), efConstruction: int.min(4).max(1000).optional() }).strict(),
              z.object({ type: z.literal("ivfflat"), dimensions: int.min(1).max(2000), similarity, lists: int.min(1) }).strict(),
            ]),
          })
          .strict(),
      )
      .length(1),
  })
  .strict();

const documentDbSearch = z
  .object({
    $search: z.object({ vectorSearch: z.object({ vector: z.array(z.number()).min(1), path: z.string().min(1), similarity, k: int.min(1), efSearch: int.min(1).max(1000).optional(), probes: int.min(1).optional() }).strict() }).strict(),
  })
  .strict();

const mongoIndex = z
  .object({
    createSearchIndexes: z.string().min(1),
    indexes: z
      .array(
        z
          .object({
            name: z.string().min(1),
            type: z.literal("vectorSearch"),
            definition: z.object({
              fields: z.array(
                z.discriminatedUnion("type", [
                  z.object({ type: z.literal("vector"), path: z.string().min(1), numDimensions: int.min(1).max(8192), similarity, quantization: z.enum(["none", "scalar", "binary"]).optional() }).strict(),
                  z.object({ type: z.literal("filter"), path: z.string().min(1) }).strict(),
                ]),
              ),
            }),
          })
          .strict(),
      )
      .length(1),
  })
  .strict();

const FILTER_OPERATORS = new Set(["$eq", "$ne", "$gt", "$lt", "$gte", "$lte", "$in", "$nin", "$and", "$or", "$not", "$nor", "$exists"]);
const mongoSearch = z
  .object({
    $vectorSearch: z
      .object({ index: z.string().min(1), path: z.string().min(1), queryVector: z.array(z.number()).min(1), numCandidates: int.min(1).max(10_000), limit: int.min(1), filter: z.record(z.string(), z.unknown()).optional(), exact: z.boolean().optional() })
      .strict()
      .refine((s) => s.numCandidates >= s.limit, "numCandidates must be at least limit"),
  })
  .strict();

const query = { vector: Array.from({ length: 1024 }, (_, i) => Math.sin(i)), k: 4, tenantId: new Types.ObjectId(), notebookId: new Types.ObjectId(), fileIds: [new Types.ObjectId(), new Types.ObjectId()] };

describe("DocumentDB's vector search", () => {
  it("creates an HNSW cosine index on the vector field in the documented createIndexes form", () => {
    const command = vectorIndexCommand("documentdb", "knowledge_chunks", 1024);
    expect(() => documentDbIndex.parse(command)).not.toThrow();
    expect(command).toMatchObject({ indexes: [{ key: { [VECTOR_FIELD]: "vector" }, vectorOptions: { type: "hnsw", dimensions: 1024, similarity: "cosine" } }] });
    expect(() => documentDbIndex.parse(vectorIndexCommand("documentdb", "knowledge_chunks", 4096))).toThrow();
  });

  it("searches with $search.vectorSearch first, then keeps only the tenant's notebook and files", () => {
    const pipeline = vectorSearchPipeline("documentdb", query);
    expect(() => documentDbSearch.parse(pipeline[0])).not.toThrow();
    const search = (pipeline[0] as z.infer<typeof documentDbSearch>).$search.vectorSearch;
    expect(search).toMatchObject({ path: VECTOR_FIELD, similarity: "cosine", vector: query.vector });
    // No pre-filter on DocumentDB: the candidates are over-fetched, then matched to the scope.
    expect(search.k).toBeGreaterThanOrEqual(query.k * 20);
    expect(pipeline[1]).toEqual({ $match: { tenantId: query.tenantId, notebookId: query.notebookId, fileId: { $in: query.fileIds } } });
    expect(pipeline[2]).toEqual({ $limit: query.k });
  });

  it("is used from DocumentDB 5.0, which has it on instance-based clusters", () => {
    expect(["3.6.0", "4.0.0", "5.0.0", "8.0.0"].map(documentDbHasVectorSearch)).toEqual([false, false, true, true]);
  });

  it("stores the vector as the array of numbers its index requires", () => {
    expect(engineVector("documentdb", [0.5, -0.25])).toEqual([0.5, -0.25]);
  });
});

describe("MongoDB's $vectorSearch", () => {
  it("creates a vectorSearch index with the vector and every field the query filters on", () => {
    const command = vectorIndexCommand("mongodb", "knowledge_chunks", 1024);
    const parsed = mongoIndex.parse(command);
    const fields = parsed.indexes[0]!.definition.fields;
    expect(fields.filter((f) => f.type === "vector")).toEqual([{ type: "vector", path: VECTOR_FIELD, numDimensions: 1024, similarity: "cosine" }]);

    const pipeline = vectorSearchPipeline("mongodb", query);
    const stage = mongoSearch.parse(pipeline[0]).$vectorSearch;
    expect(stage).toMatchObject({ index: parsed.indexes[0]!.name, path: VECTOR_FIELD, limit: query.k, queryVector: query.vector });
    // A pre-filter may only name fields indexed as "filter", with the operators $vectorSearch accepts.
    const filterPaths = new Set(fields.filter((f) => f.type === "filter").map((f) => f.path));
    for (const [field, condition] of Object.entries(stage.filter ?? {})) {
      expect(filterPaths.has(field), `${field} is indexed as a filter`).toBe(true);
      if (condition && typeof condition === "object" && !(condition instanceof Types.ObjectId)) for (const op of Object.keys(condition)) expect(FILTER_OPERATORS.has(op), op).toBe(true);
    }
    expect(stage.filter).toEqual({ tenantId: query.tenantId, notebookId: query.notebookId, fileId: { $in: query.fileIds } });
    expect(pipeline[1]).toMatchObject({ $project: { score: { $meta: "vectorSearchScore" } } });
  });

  it("asks for at most 10,000 candidates and never fewer than the results", () => {
    for (const k of [1, 4, 50, 600]) expect(() => mongoSearch.parse(vectorSearchPipeline("mongodb", { ...query, k })[0])).not.toThrow();
  });

  it("stores the vector as BSON's float32 vector binary (subtype 9) and reads its cosine score back", () => {
    const stored = engineVector("mongodb", [0.5, -0.25]) as InstanceType<typeof mongoose.mongo.Binary>;
    expect(stored.sub_type).toBe(9);
    expect(Array.from(stored.toFloat32Array())).toEqual([0.5, -0.25]);
    // MongoDB scores cosine as (1 + cos) / 2.
    expect([1, 0.5, 0].map(cosineFromScore)).toEqual([1, 0, -1]);
  });
});
