import { z } from "zod";
import { ObjectIdString } from "./text.js";

/** The audit log: who did what, where from, and how it ended; each entry chained to the one before by its hash. */
export const AUDIT_OUTCOMES = ["success", "failure", "denied"] as const;
export const AuditOutcome = z.enum(AUDIT_OUTCOMES, { message: `Choose one of ${AUDIT_OUTCOMES.join(", ")}` });
export type AuditOutcome = z.infer<typeof AuditOutcome>;

export const AUDIT_ACTOR_KINDS = ["user", "operator", "client", "api_key", "system", "application-plane"] as const;
export const AuditActorKind = z.enum(AUDIT_ACTOR_KINDS);
export type AuditActorKind = z.infer<typeof AuditActorKind>;

/** A chain: an organisation's id, or "system" for what happens outside any one organisation. */
export const AuditChainId = z.string().regex(/^(system|[0-9a-f]{24})$/, 'Use an organisation id (24 hexadecimal digits) or "system".');

export const AuditEntry = z.object({
  id: ObjectIdString,
  tenantId: z.string().describe('The chain: the organisation\'s id, or "system"'),
  seq: z.number().int().describe("Position in its chain, from 1, without gaps (until pruned)"),
  at: z.string().describe("ISO 8601 time"),
  actor: z.object({ kind: AuditActorKind, id: z.string(), email: z.string().optional() }),
  action: z.string().describe('Dotted name, e.g. "auth.sign_in", "api_key.created", "tenant.transition"'),
  target: z.object({ type: z.string(), id: z.string() }).optional(),
  address: z.string().optional().describe("The client's network address"),
  outcome: AuditOutcome,
  details: z.record(z.union([z.string(), z.number()])),
  prevHash: z.string().describe("hash of the previous entry of the chain (64 zeros for the first)"),
  hash: z.string().describe("SHA-256 (hex) of the entry's canonical JSON with prevHash"),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditPage = z.object({
  entries: z.array(AuditEntry).describe("Newest first"),
  nextCursor: z.string().optional().describe("Pass as ?cursor= for the next (older) page"),
});
export type AuditPage = z.infer<typeof AuditPage>;

const time = (what: string) => z.string().datetime({ offset: true, message: `Give ${what} as an ISO 8601 time such as 2025-01-31T09:00:00Z` });

/** Filters of an organisation's log (GET /api/orgs/{orgId}/audit and its export). */
export const AuditQuery = z.object({
  action: z
    .string()
    .regex(/^[a-z0-9_.-]{1,100}$/, 'Give the start of an action name, such as "auth." or "api_key.created" (lower-case letters, digits, _ . -)')
    .optional()
    .describe("Entries whose action starts with this"),
  actor: z.string().regex(/^[A-Za-z0-9_.:@+-]{1,200}$/, "Give an actor's id as an entry shows it").optional().describe("Entries by this actor id"),
  outcome: AuditOutcome.optional(),
  from: time("from").optional().describe("Entries at or after this time"),
  to: time("to").optional().describe("Entries before this time"),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "Pass the nextCursor of the previous page as it was").optional(),
  limit: z.coerce.number().int("Use a whole number").min(1, "Ask for 1 to 200 entries").max(200, "Ask for 1 to 200 entries").optional().describe("Entries a page (default 50)"),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

/** The export's filters: those of the list, without paging (every matching entry is sent). */
export const AuditExportQuery = AuditQuery.omit({ cursor: true, limit: true });
export type AuditExportQuery = z.infer<typeof AuditExportQuery>;

/** The operators' view (GET /control-plane/audit): every chain, or one; `start_key` is the control plane's name for the cursor. */
export const OperatorAuditQuery = AuditQuery.extend({
  tenantId: AuditChainId.optional().describe('One chain: an organisation id or "system"'),
  start_key: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "Pass the next_start_key of the previous page as it was").optional(),
});
export type OperatorAuditQuery = z.infer<typeof OperatorAuditQuery>;
/** The operators' page, wrapped as the control plane wraps lists. */
export const OperatorAuditPage = z.object({ data: z.array(AuditEntry), next_start_key: z.string().optional() });
export type OperatorAuditPage = z.infer<typeof OperatorAuditPage>;
