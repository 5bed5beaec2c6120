export {
  getConnection,
  closeConnection,
  connectOptionsFor,
  isDocumentDbUri,
  type DatabaseOptions,
  type DatabaseEngine,
} from "./connection.js";
export { detectCapabilities, documentDbHasVectorSearch, type DatabaseCapabilities } from "./capabilities.js";
export { pingDatabase, type DatabaseProbe } from "./health.js";
export { ensureExpiryIndex, notExpired, purgeExpired, EXPIRES_AT } from "./expiry.js";
export { isDuplicateKeyError, isUniqueViolation, isDatabaseUnavailable, upsertRacing, DATABASE_RETRY_AFTER_SECONDS } from "./errors.js";
export { claimOnce, claimModel } from "./claim.js";
export { withLease, leaseModel, type LeaseOptions } from "./lease.js";
