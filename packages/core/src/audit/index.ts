/**
 * The audit log (issue 10, item 5): append-only and tamper-evident. Each chain (an organisation,
 * or "system") numbers its entries 1, 2, 3... and each entry carries the hash of the one before,
 * so altering, removing or reordering an entry breaks the chain where it happened
 * (verifyAuditChain, `pnpm tandem audit verify`). Retention removes old entries behind an anchor.
 */
export { SYSTEM_CHAIN, GENESIS_HASH, auditEntryModel, auditAnchorModel, auditHeadModel, type AuditActor, type AuditTarget, type AuditDetails, type AuditEntryDocument } from "./model.js";
export { canonicalJson, hashOf } from "./hash.js";
export { appendAudit, recordAudit, recordApiKeyUse, forgetApiKeyUses, actorFromLifecycle, sanitizeDetails, API_KEY_USE_WINDOW_MS, type AuditInput, type AuditErrorLog } from "./append.js";
export { listAudit, exportAudit, toAuditEntry, AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX, type AuditFilter, type AuditPageRequest } from "./read.js";
export { verifyAuditChain, auditChains, type VerifyResult, type ChainReport, type BrokenEntry } from "./verify.js";
export { pruneAudit, type PruneResult } from "./prune.js";
