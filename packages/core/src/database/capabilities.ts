import type { Connection } from "mongoose";
import { isDocumentDbHost, type DatabaseEngine } from "./connection.js";

/**
 * What the connected server can do beyond the common ground of MongoDB, DocumentDB and
 * FerretDB v1. Code may use these only as improvements, never depend on them.
 */
export interface DatabaseCapabilities {
  readonly engine: DatabaseEngine;
  readonly version: string;
  /** TTL indexes expire documents by themselves (MongoDB, DocumentDB; not FerretDB v1). */
  readonly ttlIndexes: boolean;
  /**
   * The engine's own vector search, if it has one: DocumentDB 5.0+ (`$search` with `vectorSearch`
   * over an HNSW index) or MongoDB with a search node (Atlas, or 8.2+ with mongot: `$vectorSearch`).
   * FerretDB v1 has none; retrieval then ranks in the API (knowledge/vectors.ts).
   */
  readonly vectorSearch: "documentdb" | "mongodb" | null;
  /** Text indexes and `$text` (MongoDB; DocumentDB from 5.0). FerretDB v1 has neither. */
  readonly textSearch: boolean;
}

/** DocumentDB has vector search (instance-based clusters) and text indexes from 5.0. */
export function documentDbHasVectorSearch(version: string): boolean {
  const major = Number.parseInt(version, 10);
  return Number.isFinite(major) && major >= 5;
}

const memo = new WeakMap<Connection, Promise<DatabaseCapabilities>>();

export function detectCapabilities(connection: Connection): Promise<DatabaseCapabilities> {
  let found = memo.get(connection);
  if (!found) {
    found = (async () => {
      const db = connection.db;
      if (!db) throw new Error("detectCapabilities needs an open connection");
      const info = (await db.admin().command({ buildInfo: 1 })) as Record<string, unknown>;
      const version = String(info.version ?? "unknown");
      // FerretDB announces itself in buildInfo; DocumentDB is recognised by its endpoint.
      const engine: DatabaseEngine =
        "ferretdbVersion" in info || "ferretdb" in info
          ? "ferretdb"
          : connection.getClient().options.hosts.some((host) => isDocumentDbHost(host.toString()))
            ? "documentdb"
            : "mongodb";
      let vectorSearch: DatabaseCapabilities["vectorSearch"] = null;
      if (engine === "documentdb" && documentDbHasVectorSearch(version)) vectorSearch = "documentdb";
      if (engine === "mongodb") {
        // Only a deployment with a search node answers $listSearchIndexes; the others refuse the stage.
        vectorSearch = await db
          .collection("knowledge_chunks")
          .aggregate([{ $listSearchIndexes: {} }])
          .toArray()
          .then(
            () => "mongodb" as const,
            () => null,
          );
      }
      const textSearch = engine === "mongodb" || (engine === "documentdb" && documentDbHasVectorSearch(version));
      return { engine, version, ttlIndexes: engine !== "ferretdb", vectorSearch, textSearch };
    })();
    memo.set(connection, found);
  }
  return found;
}
