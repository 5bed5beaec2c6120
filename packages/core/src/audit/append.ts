import { AuditActorKind, AuditChainId, AuditOutcome } from "@tandem/client/contract";
import { LRUCache } from "lru-cache";
import type { Connection } from "mongoose";
import { z } from "zod";
import { isDuplicateKeyError } from "../database/index.js";
import { ConflictError, parseInput } from "../errors/index.js";
import { hashOf } from "./hash.js";
import { auditAnchorModel, auditEntryModel, auditHeadModel, GENESIS_HASH, SYSTEM_CHAIN, type AuditActor, type AuditDetails, type AuditEntryDocument, type AuditRecord } from "./model.js";

/** What a caller records; the chain fields (seq, prevHash, hash) and the time are added here. */
export interface AuditInput {
  /** The chain: an organisation's id, or "system". */
  readonly tenantId: string;
  readonly actor: AuditActor;
  readonly action: string;
  readonly target?: { readonly type: string; readonly id: string };
  readonly address?: string;
  readonly outcome: z.infer<typeof AuditOutcome>;
  /** Small, non-secret facts: never secrets, tokens, passwords, message content or query strings. */
  readonly details?: Readonly<Record<string, string | number | boolean | null | undefined>>;
  readonly at?: Date;
}

const MAX_DETAIL_KEYS = 16;
const MAX_DETAIL_STRING = 200;
const MAX_DETAILS_BYTES = 2_048;
// Keys that name what must never be recorded, whatever a caller passes.
const SECRET_KEY = /secret|password|passwd|token|authori[sz]ation|cookie|credential|api[_-]?key$|query|content|prompt|body/i;
const clip = (value: string, max: number) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

/** Keeps details small and free of secrets: at most 16 plain keys, strings clipped, secret-looking keys dropped. */
export function sanitizeDetails(details: AuditInput["details"]): AuditDetails {
  const out: Record<string, string | number> = {};
  let bytes = 2;
  for (const [key, value] of Object.entries(details ?? {})) {
    if (Object.keys(out).length >= MAX_DETAIL_KEYS) break;
    if (!/^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(key) || SECRET_KEY.test(key)) continue;
    let kept: string | number;
    if (typeof value === "number") {
      if (!Number.isFinite(value)) continue;
      kept = value;
    } else if (typeof value === "boolean") kept = String(value);
    else if (typeof value === "string") kept = clip(value, MAX_DETAIL_STRING);
    else continue;
    bytes += key.length + String(kept).length + 6;
    if (bytes > MAX_DETAILS_BYTES) break;
    out[key] = kept;
  }
  return out;
}

const Input = z.object({
  tenantId: AuditChainId,
  actor: z.object({ kind: AuditActorKind, id: z.string().min(1).max(200), email: z.string().max(254).optional() }),
  action: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, 'must be a dotted name such as "auth.sign_in"').max(100),
  target: z.object({ type: z.string().min(1).max(40), id: z.string().min(1).max(200) }).optional(),
  address: z.string().max(100).optional(),
  outcome: AuditOutcome,
});

/** "operator:<id>", "client:<id>", "application-plane", "system" (the lifecycle's actors) as an audit actor. */
export function actorFromLifecycle(actor: string): AuditActor {
  const [kind, ...rest] = actor.split(":");
  const id = rest.join(":");
  if ((kind === "operator" || kind === "client" || kind === "user") && id) return { kind, id };
  if (actor === "application-plane") return { kind: "application-plane", id: "application-plane" };
  return { kind: "system", id: actor || "system" };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Enough for dozens of simultaneous writers to one chain; each round of a race has one winner. */
const MAX_ATTEMPTS = 60;
/** How far a stale head is followed one entry at a time before the chain's end is looked up directly. */
const MAX_FOLLOW = 64;

interface ChainEnd {
  readonly seq: number;
  readonly hash: string;
}

/** The newest entry's seq and hash, read from the entries (or the anchor, if retention removed them all). */
async function readChainEnd(connection: Connection, tenantId: string): Promise<ChainEnd> {
  // Sorted reads run in FerretDB v1 after every row of the chain arrives: used only when the head hint is missing.
  const last = await auditEntryModel(connection).findOne({ tenantId }).sort({ seq: -1 }).select({ seq: 1, hash: 1 }).lean();
  if (last) return { seq: last.seq, hash: last.hash };
  const anchor = await auditAnchorModel(connection).findById(tenantId).lean();
  return anchor ? { seq: anchor.seq, hash: anchor.hash } : { seq: 0, hash: GENESIS_HASH };
}

/** From a known entry, the chain's end: entries after it are read by their seq (an equality every engine pushes down). */
async function followChain(connection: Connection, tenantId: string, from: ChainEnd): Promise<ChainEnd> {
  const entries = auditEntryModel(connection);
  let end = from;
  for (let i = 0; i < MAX_FOLLOW; i++) {
    const next = await entries.findOne({ tenantId, seq: end.seq + 1 }).select({ seq: 1, hash: 1 }).lean();
    if (!next) return end;
    end = { seq: next.seq, hash: next.hash };
  }
  return readChainEnd(connection, tenantId);
}

async function advanceHead(connection: Connection, tenantId: string, end: ChainEnd): Promise<void> {
  try {
    // Only forward; a head that is ahead already makes the upsert collide on _id, which is fine.
    await auditHeadModel(connection).updateOne({ _id: tenantId, seq: { $lt: end.seq } }, { $set: { seq: end.seq, hash: end.hash } }, { upsert: true });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
}

/**
 * Appends one entry to its chain: seq is one past the chain's end and prevHash is that entry's
 * hash. Two writers racing for the same seq are decided by the unique index on (tenantId, seq):
 * the loser reads what won and tries the next number (there are no transactions on FerretDB v1,
 * and a conditional update is not atomic there). Throws on failure; request paths use recordAudit.
 */
export async function appendAudit(connection: Connection, input: AuditInput): Promise<AuditEntryDocument> {
  const data = parseInput(Input, input, "audit entry");
  const entries = auditEntryModel(connection);
  // The unique index must exist before the first append, or two could take one number.
  await entries.init();
  const head = await auditHeadModel(connection).findById(data.tenantId).lean();
  let end: ChainEnd = head ? { seq: head.seq, hash: head.hash } : await readChainEnd(connection, data.tenantId);
  const at = input.at ?? new Date();
  const details = sanitizeDetails(input.details);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record: AuditRecord = {
      tenantId: data.tenantId,
      seq: end.seq + 1,
      at,
      actor: { kind: data.actor.kind, id: data.actor.id, ...(data.actor.email ? { email: data.actor.email } : {}) },
      action: data.action,
      ...(data.target ? { target: data.target } : {}),
      ...(data.address ? { address: data.address } : {}),
      outcome: data.outcome,
      details,
      prevHash: end.hash,
    };
    const hash = hashOf(record);
    try {
      const created = await entries.create({ ...record, hash });
      await advanceHead(connection, data.tenantId, { seq: record.seq, hash });
      return created.toObject();
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    // Someone else took that number: continue from the entry that did.
    end = await followChain(connection, data.tenantId, end);
    await sleep(Math.random() * Math.min(50, 5 * (attempt + 1)));
  }
  throw new ConflictError("The audit log is too busy to record this right now. Try again in a moment.", "audit.busy");
}

/** Where recordAudit reports what it could not record (pino's logger fits). */
export interface AuditErrorLog {
  error(details: Record<string, unknown>, message: string): void;
}

const stderrLog: AuditErrorLog = {
  error: (details, message) => process.stderr.write(`${JSON.stringify({ level: "error", msg: message, ...details })}\n`),
};

/**
 * Records an entry and never throws: an audit hiccup (the database briefly away, a busy chain)
 * must not fail the person's request that it describes. The failure is logged with the action,
 * chain and error, never with the details.
 */
export async function recordAudit(connection: Connection | PromiseLike<Connection>, input: AuditInput, log: AuditErrorLog = stderrLog): Promise<void> {
  try {
    await appendAudit(await connection, input);
  } catch (error) {
    try {
      log.error({ err: error instanceof Error ? { name: error.name, message: error.message } : String(error), action: input.action, tenantId: input.tenantId }, "audit entry not recorded");
    } catch {
      // Nothing left to tell.
    }
  }
}

/** An API key's use is recorded at most once per key per window in each process, so heavy use does not flood its chain. */
export const API_KEY_USE_WINDOW_MS = 5 * 60 * 1000;
const recentKeyUses = new LRUCache<string, true>({ max: 10_000, ttl: API_KEY_USE_WINDOW_MS });

/** Records `api_key.used` for the key unless this process recorded it within the window. */
export async function recordApiKeyUse(
  connection: Connection | PromiseLike<Connection>,
  key: { readonly keyId: string; readonly userId: string; readonly tenantId: string },
  context: { readonly address?: string; readonly method?: string; readonly log?: AuditErrorLog } = {},
): Promise<void> {
  if (recentKeyUses.has(key.keyId)) return;
  recentKeyUses.set(key.keyId, true);
  await recordAudit(
    connection,
    {
      tenantId: key.tenantId,
      actor: { kind: "api_key", id: key.keyId },
      action: "api_key.used",
      target: { type: "api_key", id: key.keyId },
      address: context.address,
      outcome: "success",
      details: { userId: key.userId, ...(context.method ? { method: context.method } : {}), windowMinutes: API_KEY_USE_WINDOW_MS / 60_000 },
    },
    context.log,
  );
}

/** Forgets which keys were recorded (tests). */
export function forgetApiKeyUses(): void {
  recentKeyUses.clear();
}

export { SYSTEM_CHAIN };
