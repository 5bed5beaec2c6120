import { createHash } from "node:crypto";
import type { AuditRecord } from "./model.js";

/**
 * The canonical form of an entry, which its hash covers: JSON with object keys sorted at every
 * level, times as ISO 8601 strings, absent optional fields as null. Anyone can recompute it from
 * an exported line: sha256(canonical({ v: 1, tenantId, seq, at, actor: { kind, id, email },
 * action, target, address, outcome, details, prevHash })), in lower-case hex.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The fields of a stored entry (or a lean document) that its hash covers, normalised. */
export function hashedFields(record: AuditRecord): Record<string, unknown> {
  return {
    v: 1,
    tenantId: record.tenantId,
    seq: record.seq,
    at: new Date(record.at),
    actor: { kind: record.actor?.kind ?? null, id: record.actor?.id ?? null, email: record.actor?.email ?? null },
    action: record.action,
    target: record.target ? { type: record.target.type, id: record.target.id } : null,
    address: record.address ?? null,
    outcome: record.outcome,
    details: record.details ?? {},
    prevHash: record.prevHash,
  };
}

export function hashOf(record: AuditRecord): string {
  return createHash("sha256").update(canonicalJson(hashedFields(record))).digest("hex");
}
