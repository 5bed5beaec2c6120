import type { AuditEntry, AuditOutcome } from "@tandem/client/contract";
import { Types, type Connection, type FilterQuery } from "mongoose";
import { InvalidInputError } from "../errors/index.js";
import { auditEntryModel, type AuditEntryDocument } from "./model.js";

export interface AuditFilter {
  /** One chain (an organisation's id or "system"); every chain when absent (operators only). */
  readonly tenantId?: string;
  /** Entries whose action starts with this ("auth." or "api_key.created"). */
  readonly action?: string;
  /** Entries by this actor id. */
  readonly actorId?: string;
  readonly outcome?: AuditOutcome;
  /** At or after. */
  readonly from?: Date;
  /** Before. */
  readonly to?: Date;
}

export interface AuditPageRequest {
  readonly cursor?: string;
  /** 1 to 200; 50 by default. */
  readonly limit?: number;
}

export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 200;

/** An entry as the API and the export show it. */
export function toAuditEntry(doc: AuditEntryDocument): AuditEntry {
  return {
    id: String(doc._id),
    tenantId: doc.tenantId,
    seq: doc.seq,
    at: new Date(doc.at).toISOString(),
    actor: { kind: doc.actor.kind, id: doc.actor.id, ...(doc.actor.email ? { email: doc.actor.email } : {}) },
    action: doc.action,
    ...(doc.target ? { target: { type: doc.target.type, id: doc.target.id } } : {}),
    ...(doc.address ? { address: doc.address } : {}),
    outcome: doc.outcome,
    details: { ...(doc.details ?? {}) },
    prevHash: doc.prevHash,
    hash: doc.hash,
  };
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function conditions(filter: AuditFilter): FilterQuery<AuditEntryDocument> {
  const where: FilterQuery<AuditEntryDocument> = {};
  if (filter.tenantId !== undefined) where.tenantId = filter.tenantId;
  if (filter.action) where.action = { $regex: `^${escapeRegex(filter.action)}` };
  if (filter.actorId) where["actor.id"] = filter.actorId;
  if (filter.outcome) where.outcome = filter.outcome;
  if (filter.from || filter.to) where.at = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
  return where;
}

const badCursor = () => new InvalidInputError("This cursor is not one the audit log gave out. Pass the nextCursor of the previous page as it was, or leave it out for the newest entries.", [{ name: "query.cursor", message: "unknown cursor" }]);

// A cursor is the last entry's time and id, so a page continues exactly where the previous one ended.
function encodeCursor(doc: { at: Date; _id: Types.ObjectId }): string {
  return Buffer.from(`${new Date(doc.at).getTime()}.${String(doc._id)}`).toString("base64url");
}

function decodeCursor(cursor: string): { at: Date; id: Types.ObjectId } {
  const match = /^(\d{1,15})\.([0-9a-f]{24})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) throw badCursor();
  return { at: new Date(Number(match[1])), id: new Types.ObjectId(match[2]) };
}

/** A page of entries, newest first, with the cursor of the next (older) page when there is one. */
export async function listAudit(connection: Connection, filter: AuditFilter, page: AuditPageRequest = {}): Promise<{ entries: AuditEntry[]; nextCursor?: string }> {
  const limit = Math.min(Math.max(Math.trunc(page.limit ?? AUDIT_PAGE_DEFAULT), 1), AUDIT_PAGE_MAX);
  const where = conditions(filter);
  if (page.cursor) {
    const after = decodeCursor(page.cursor);
    where.$or = [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after.id } }];
  }
  const docs = await auditEntryModel(connection)
    .find(where)
    .sort({ at: -1, _id: -1 })
    .limit(limit + 1)
    .lean<AuditEntryDocument[]>();
  const more = docs.length > limit;
  const shown = more ? docs.slice(0, limit) : docs;
  return { entries: shown.map(toAuditEntry), ...(more ? { nextCursor: encodeCursor(shown.at(-1)!) } : {}) };
}

/**
 * Every matching entry as JSON lines (one entry and "\n" each), chain by chain in seq order, so an
 * export can be checked with the hash recipe in hash.ts. Read through a cursor: memory stays small.
 */
export async function* exportAudit(connection: Connection, filter: AuditFilter): AsyncGenerator<string> {
  const cursor = auditEntryModel(connection).find(conditions(filter)).sort({ tenantId: 1, seq: 1 }).lean<AuditEntryDocument[]>().cursor({ batchSize: 500 });
  try {
    for await (const doc of cursor) yield `${JSON.stringify(toAuditEntry(doc as AuditEntryDocument))}\n`;
  } finally {
    await cursor.close();
  }
}
