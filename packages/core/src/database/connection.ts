import mongoose, { type Connection, type ConnectOptions } from "mongoose";
import { UnavailableError } from "../errors/index.js";

export interface DatabaseOptions {
  readonly uri: string;
  /** CA bundle for DocumentDB's TLS (Amazon's global-bundle.pem); see docs/documentdb.md. */
  readonly tlsCAFile?: string;
  /** How long an operation waits for a reachable server before failing. */
  readonly serverSelectionTimeoutMS?: number;
  /** Connections the pool may open (DEFAULT_POOL_SIZE); the API sizes it for where it runs. */
  readonly maxPoolSize?: number;
}

/** The pool of a caller that says nothing: enough for a server's concurrent requests. */
export const DEFAULT_POOL_SIZE = 10;

export type DatabaseEngine = "mongodb" | "documentdb" | "ferretdb";

const DOCUMENTDB_HOST = /\.docdb(-elastic)?\.amazonaws\.com(\.cn)?(:\d+)?$/i;

export function isDocumentDbHost(host: string): boolean {
  return DOCUMENTDB_HOST.test(host);
}

export function isDocumentDbUri(uri: string): boolean {
  const hosts = uri.replace(/^mongodb(\+srv)?:\/\//, "").split("/")[0]?.split("@").pop() ?? "";
  return hosts.split(",").some(isDocumentDbHost);
}

/** Driver options that work on MongoDB, DocumentDB and FerretDB alike. */
export function connectOptionsFor(options: DatabaseOptions): ConnectOptions {
  const documentDb = isDocumentDbUri(options.uri);
  return {
    // Fail fast instead of queueing: while the database is away a request answers 503 with
    // Retry-After within two seconds, instead of hanging until API Gateway gives up. (Selection
    // is instant while a server is known; this only bounds the wait when none answers.)
    bufferCommands: false,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 1_500,
    // Sized by the caller for the concurrency it really sees: the API asks for 2 on Lambda (one
    // request at a time, at most two reads at once, and DocumentDB caps connections per instance
    // class) and 10 in the local server (packages/api/src/tuning.ts, MONGODB_MAX_POOL_SIZE).
    maxPoolSize: options.maxPoolSize ?? DEFAULT_POOL_SIZE,
    // DocumentDB does not support retryable writes; FerretDB v1 has no transactions either.
    ...(documentDb ? { retryWrites: false, tls: true } : {}),
    ...(options.tlsCAFile ? { tls: true, tlsCAFile: options.tlsCAFile } : {}),
  };
}

interface CachedConnection {
  readonly key: string;
  readonly connection: Promise<Connection>;
}

// Module scope survives between invocations of a warm Lambda, so the connection is reused.
let cached: CachedConnection | undefined;

/**
 * Returns the shared connection, connecting on first use. A failed connect is not cached: the
 * next call tries again, so the app recovers when the database comes back without a restart.
 * The pool size is the first caller's (it is not part of what names the connection).
 */
export function getConnection(options: DatabaseOptions): Promise<Connection> {
  const key = `${options.uri}|${options.tlsCAFile ?? ""}`;
  if (cached?.key === key) return cached.connection;
  const connection = mongoose
    .createConnection(options.uri, connectOptionsFor(options))
    .asPromise()
    .catch((error: unknown) => {
      if (cached?.key === key) cached = undefined;
      throw new UnavailableError(
        `Could not connect to the database: ${error instanceof Error ? error.message : String(error)}. Check that MONGODB_URI points at a running MongoDB, DocumentDB or FerretDB server reachable from here.`,
        "database.unreachable",
        { cause: error },
      );
    });
  cached = { key, connection };
  return connection;
}

export async function closeConnection(): Promise<void> {
  const current = cached;
  cached = undefined;
  if (current) await (await current.connection.catch(() => undefined))?.close();
}
