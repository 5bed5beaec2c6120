import mongoose, { type Connection } from "mongoose";
import type { DatabaseCapabilities } from "../database/index.js";

/**
 * The engines' own vector search, where the connected engine has one (see DatabaseCapabilities):
 * - DocumentDB 5.0+: an HNSW index created with `createIndexes` (`vectorOptions`) over a field
 *   holding an array of numbers, queried with `$search: { vectorSearch }` as the first stage. It
 *   has no pre-filter, so the tenant, notebook and files are matched after it on an over-fetched
 *   candidate list; when that leaves fewer than k passages, retrieval falls back to the exact scan.
 * - MongoDB with a search node (Atlas; 8.2+ with mongot): a `vectorSearch` search index with the
 *   vector and the filter fields, queried with `$vectorSearch` and a pre-filter on tenant,
 *   notebook and files; the vector is stored as BSON's float32 vector binary (subtype 9).
 * The builders are pure, so their output is checked against the engines' documented syntax in
 * tests (no DocumentDB or MongoDB search node runs on the machines Tandem is built on).
 */
export const VECTOR_INDEX_NAME = "passage_vector";
export const VECTOR_FIELD = "vector";
/** HNSW build parameters: DocumentDB's defaults. */
const HNSW = { m: 16, efConstruction: 64 } as const;
/** Candidates the engine considers per result wanted (MongoDB recommends at least 20). */
const OVERFETCH = 20;
/** $vectorSearch's ceiling for numCandidates. */
const MAX_CANDIDATES = 10_000;

export type VectorEngine = NonNullable<DatabaseCapabilities["vectorSearch"]>;

/** What a passage stores for the engine's index: float32 vector binary, or an array of numbers. */
export function engineVector(engine: VectorEngine, vector: ArrayLike<number>): unknown {
  const values = Float32Array.from(vector);
  return engine === "mongodb" ? mongoose.mongo.Binary.fromFloat32Array(values) : Array.from(values);
}

/** The command that creates the index: a `createIndexes` command, or a `createSearchIndexes` one. */
export function vectorIndexCommand(engine: VectorEngine, collection: string, dimensions: number): Record<string, unknown> {
  if (engine === "documentdb") {
    return {
      createIndexes: collection,
      indexes: [{ key: { [VECTOR_FIELD]: "vector" }, name: VECTOR_INDEX_NAME, vectorOptions: { type: "hnsw", dimensions, similarity: "cosine", ...HNSW } }],
    };
  }
  return {
    createSearchIndexes: collection,
    indexes: [
      {
        name: VECTOR_INDEX_NAME,
        type: "vectorSearch",
        definition: {
          fields: [
            { type: "vector", path: VECTOR_FIELD, numDimensions: dimensions, similarity: "cosine" },
            { type: "filter", path: "tenantId" },
            { type: "filter", path: "notebookId" },
            { type: "filter", path: "fileId" },
          ],
        },
      },
    ],
  };
}

export interface VectorQuery {
  readonly vector: ArrayLike<number>;
  readonly k: number;
  readonly tenantId: mongoose.Types.ObjectId;
  readonly notebookId: mongoose.Types.ObjectId;
  readonly fileIds: readonly unknown[];
}

/** The projection of a found passage, with its score as the engine reports it. */
const PROJECTION = { fileId: 1, page: 1, index: 1, text: 1 } as const;

/** The aggregation pipeline that finds the k passages closest to the vector within the scope. */
export function vectorSearchPipeline(engine: VectorEngine, query: VectorQuery): Array<Record<string, unknown>> {
  const vector = Array.from(query.vector);
  const candidates = Math.min(MAX_CANDIDATES, Math.max(query.k * OVERFETCH, 100));
  const scope = { tenantId: query.tenantId, notebookId: query.notebookId, fileId: { $in: [...query.fileIds] } };
  if (engine === "documentdb") {
    return [
      { $search: { vectorSearch: { vector, path: VECTOR_FIELD, similarity: "cosine", k: candidates, efSearch: candidates } } },
      { $match: scope },
      { $limit: query.k },
      { $project: PROJECTION },
    ];
  }
  return [
    { $vectorSearch: { index: VECTOR_INDEX_NAME, path: VECTOR_FIELD, queryVector: vector, numCandidates: candidates, limit: query.k, filter: scope } },
    { $project: { ...PROJECTION, score: { $meta: "vectorSearchScore" } } },
  ];
}

/**
 * MongoDB reports cosine as (1 + cos) / 2; DocumentDB returns the passages in order without a
 * score, so the caller computes cosine itself from the passage when it needs the value.
 */
export function cosineFromScore(score: number): number {
  return 2 * score - 1;
}

const ensured = new WeakMap<Connection, Map<number, Promise<boolean>>>();

/**
 * Creates the engine's index for vectors of this many dimensions, once per connection and
 * dimension; true when it exists. A refusal (an index of other dimensions exists, or the engine
 * lacks the permission) leaves retrieval on the exact scan, which is always correct.
 */
export function ensureVectorIndex(connection: Connection, engine: VectorEngine, dimensions: number): Promise<boolean> {
  let byDimension = ensured.get(connection);
  if (!byDimension) ensured.set(connection, (byDimension = new Map()));
  let done = byDimension.get(dimensions);
  if (!done) {
    const db = connection.db;
    done = db
      ? db.command(vectorIndexCommand(engine, "knowledge_chunks", dimensions)).then(
          () => true,
          (error: { codeName?: string }) => error?.codeName === "IndexAlreadyExists",
        )
      : Promise.resolve(false);
    byDimension.set(dimensions, done);
  }
  return done;
}
