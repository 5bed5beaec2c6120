/** MongoDB, DocumentDB and FerretDB all report a unique-index violation as code 11000. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === 11000;
}

/**
 * A write refused by a unique index, in every form: code 11000 (MongoDB, DocumentDB, and FerretDB
 * for inserts), and FerretDB v1's update of an existing document into a taken key, which it reports
 * as InternalError (code 1) carrying PostgreSQL's "duplicate key value violates unique constraint"
 * (SQLSTATE 23505). The index held either way: nothing was written.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (isDuplicateKeyError(error)) return true;
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 1 && typeof message === "string" && /duplicate key value violates unique constraint|SQLSTATE 23505/.test(message);
}

// What the driver (and mongoose) throw when no server answers: down, unreachable, restarting.
const UNAVAILABLE_ERRORS = new Set([
  "MongoServerSelectionError",
  "MongooseServerSelectionError",
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoNotConnectedError",
  "MongoTopologyClosedError",
  "MongoPoolClearedError",
  "MongoPoolClosedError",
]);

/** How long a client should wait before trying again while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** True when an error means "the database is not answering", as opposed to a bug or bad input. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 3) return false;
  const { name, code, message, cause } = error as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  if (typeof name === "string" && UNAVAILABLE_ERRORS.has(name)) return true;
  if (code === "database.unreachable") return true;
  if (typeof message === "string") {
    if (message.includes("before initial connection is complete")) return true;
    // A bulk write (insertMany) reports a lost connection as a MongoBulkWriteError.
    if (typeof name === "string" && name.startsWith("Mongo") && /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|connection .*closed|not connected/i.test(message)) return true;
  }
  return isDatabaseUnavailable(cause, depth + 1);
}

/**
 * An upsert by _id, run once more if a concurrent one inserted the same _id first: FerretDB v1
 * (and MongoDB, without a retry of its own) reports that race as a duplicate key; the second run
 * finds the document and updates it.
 */
export async function upsertRacing<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    return write();
  }
}
