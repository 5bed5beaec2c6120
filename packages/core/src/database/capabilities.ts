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
      return { engine, version, ttlIndexes: engine !== "ferretdb" };
    })();
    memo.set(connection, found);
  }
  return found;
}
