import { randomUUID } from "node:crypto";
import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { z } from "zod";
import { shelf } from "../access/cache.js";
import { InvalidInputError, parseInput } from "../errors/index.js";
import { meterModel, meterOf, type Meter } from "./meters.js";

/**
 * Usage events, as metered: one document per event, unique by its idempotency key, so an event
 * ingested twice (a retried consumer, a republished bus event, the sweeper) counts once. Ingestion
 * answers only for what is stored. A cancellation marks events by ingestion time (SBT's
 * DELETE /usage); a marked event no longer counts, and ingesting it again does not revive it.
 */
const recordSchema = new Schema(
  {
    idempotencyKey: { type: String, required: true },
    meterApiName: { type: String, required: true },
    // The tenant's id as the event names it (Tandem's organisations, or an SBT application plane's).
    tenantId: { type: String, required: true },
    value: { type: Number, required: true },
    dimensions: { type: Schema.Types.Mixed, default: {} },
    // "tandem" (the app's own model calls) or "sbt" (sbt_aws_ingestUsage, POST /usage).
    source: { type: String, required: true },
    at: { type: Date, required: true },
    ingestedAt: { type: Date, required: true },
    cancelledAt: { type: Date, default: null },
  },
  { collection: "usage_records" },
);
recordSchema.index({ idempotencyKey: 1 }, { unique: true, name: "idempotency_unique" });
recordSchema.index({ meterApiName: 1, at: 1 }, { name: "meter_at" });
recordSchema.index({ ingestedAt: 1 }, { name: "ingested_at" });

type RecordDocument = InferSchemaType<typeof recordSchema>;
export function usageRecordModel(connection: Connection): Model<RecordDocument> {
  return (connection.models.UsageRecord as Model<RecordDocument> | undefined) ?? connection.model("UsageRecord", recordSchema);
}

const Key = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, "Use visible ASCII characters");

/** One usage event, as sbt_aws_ingestUsage's detail and POST /usage carry it. */
export const UsageEventInput = z
  .object({
    tenantId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "Use the tenant's id"),
    meterApiName: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "Use a meter's meterApiName"),
    meterValue: z.number().finite().min(0, "Usage cannot be negative; cancel wrong events with DELETE /usage").max(1e12),
    dimensions: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, "Name dimensions with letters, digits and _"), z.string().max(200))
      .refine((d) => Object.keys(d).length <= 10, "Send at most 10 dimensions")
      .optional(),
    idempotencyKey: Key.optional(),
    // When it happened (ISO 8601 or seconds since 1970); when it was ingested by default.
    timestamp: z.union([z.string().datetime({ offset: true }), z.number().int().min(0).max(4_102_444_800)]).optional(),
  })
  .passthrough();
export type UsageEventInput = z.infer<typeof UsageEventInput>;

export const UsageBatch = z.object({ events: z.array(z.unknown()).min(1, "Send at least one event").max(500, "Send at most 500 events a request") }).strict();

export interface IngestResult {
  /** Newly stored. */
  readonly stored: number;
  /** Stored before (same idempotency key): counted once. */
  readonly duplicates: number;
  /** Not stored, with why (by position in the batch). */
  readonly rejected: ReadonlyArray<{ index: number; reason: string }>;
}

/**
 * Stores usage events, once each. Every event needs an idempotency key: its own, or `fallbackKey`
 * (the bus event's id). Events for unknown meters are rejected, not stored.
 */
export async function ingestUsage(connection: Connection, events: readonly unknown[], source: "sbt" | "tandem", fallbackKey?: (index: number) => string | undefined, now: Date = new Date()): Promise<IngestResult> {
  const rejected: Array<{ index: number; reason: string }> = [];
  const parsed: Array<{ index: number; event: UsageEventInput; key: string }> = [];
  events.forEach((raw, index) => {
    const result = UsageEventInput.safeParse(raw);
    if (!result.success) return void rejected.push({ index, reason: result.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`).join("; ") });
    const key = result.data.idempotencyKey ?? fallbackKey?.(index);
    if (!key) return void rejected.push({ index, reason: "idempotencyKey: give each event a key, so a retry counts once" });
    parsed.push({ index, event: result.data, key });
  });
  const known = await knownMeters(connection, [...new Set(parsed.map((p) => p.event.meterApiName))]);
  const docs = parsed.flatMap(({ index, event, key }) => {
    if (!known.has(event.meterApiName)) {
      rejected.push({ index, reason: `meterApiName: there is no meter ${event.meterApiName}; create it with POST /meters` });
      return [];
    }
    const at = event.timestamp === undefined ? now : typeof event.timestamp === "number" ? new Date(event.timestamp * 1000) : new Date(event.timestamp);
    return [{ idempotencyKey: key, meterApiName: event.meterApiName, tenantId: event.tenantId, value: event.meterValue, dimensions: event.dimensions ?? {}, source, at, ingestedAt: now, cancelledAt: null }];
  });
  const stored = await insertOnce(connection, docs);
  return { stored, duplicates: docs.length - stored, rejected: rejected.sort((a, b) => a.index - b.index) };
}

// Meters that exist, by name, for the access cache's TTL (a few seconds): ingestion reads them per batch.
const meterNames = shelf<{ exists: true }>();

async function knownMeters(connection: Connection, names: readonly string[]): Promise<Set<string>> {
  const found = await Promise.all(names.map((name) => meterNames.remember(name, async () => ((await meterModel(connection).exists({ meterApiName: name })) ? { exists: true as const } : undefined))));
  return new Set(names.filter((_, i) => found[i]));
}

/** A meter removed in this process is forgotten at once. */
export const forgetMeterName = (name: string) => meterNames.forget(name);

/** Inserts what is new; a key stored before is a duplicate, not an error. Returns how many were new. */
export async function insertOnce(connection: Connection, docs: ReadonlyArray<Record<string, unknown>>): Promise<number> {
  if (!docs.length) return 0;
  try {
    const result = await usageRecordModel(connection).collection.insertMany(docs as never[], { ordered: false });
    return result.insertedCount;
  } catch (error) {
    type WriteError = { code?: number; err?: { code?: number } };
    const failure = error as { code?: number; writeErrors?: WriteError[] | WriteError; result?: { insertedCount?: number }; insertedCount?: number };
    const writeErrors: WriteError[] = Array.isArray(failure.writeErrors) ? failure.writeErrors : failure.writeErrors ? [failure.writeErrors] : failure.code === 11000 ? [{ code: 11000 }] : [];
    if (!writeErrors.length || !writeErrors.every((e) => (e.code ?? e.err?.code) === 11000)) throw error;
    return failure.result?.insertedCount ?? failure.insertedCount ?? docs.length - writeErrors.length;
  }
}

const Seconds = z.coerce.number({ message: "Give a time in seconds since 1970" }).int("Use whole seconds").min(0).max(4_102_444_800);

export const UsageQuery = z
  .object({
    startTimeInSeconds: Seconds,
    endTimeInSeconds: Seconds,
    tenantId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "Use the tenant's id").optional(),
    groupBy: z.enum(["none", "tenant", "day"], { message: "Group by none, tenant or day" }).default("none"),
  })
  .refine((q) => q.endTimeInSeconds > q.startTimeInSeconds, { message: "End after the start", path: ["endTimeInSeconds"] })
  .refine((q) => q.endTimeInSeconds - q.startTimeInSeconds <= 400 * 86_400, { message: "Ask for at most 400 days at a time", path: ["endTimeInSeconds"] });

export interface UsageAnswer {
  readonly meterId: string;
  readonly meterApiName: string;
  readonly aggregation: Meter["aggregation"];
  readonly startTimeInSeconds: number;
  readonly endTimeInSeconds: number;
  /** The meter's aggregation over every event in [start, end) that is not cancelled. */
  readonly value: number;
  readonly events: number;
  readonly groups: ReadonlyArray<{ key: string; value: number; events: number }>;
}

/** SBT's GET /usage/{meterId}: the meter's aggregate over a time range, per tenant or day if asked. */
export async function fetchUsage(connection: Connection, meterId: string, query: unknown): Promise<UsageAnswer> {
  const q = parseInput(UsageQuery, query ?? {}, "time range");
  const meter = await meterOf(connection, meterId);
  const filter: Record<string, unknown> = { meterApiName: meter.meterApiName, at: { $gte: new Date(q.startTimeInSeconds * 1000), $lt: new Date(q.endTimeInSeconds * 1000) }, cancelledAt: null };
  if (q.tenantId) filter.tenantId = q.tenantId;
  const aggregation = (meter.aggregation ?? "sum") as Meter["aggregation"];
  // Sums in millionths as integers: exact and the same in any order (floats would drift: 0.1 + 0.2).
  type Acc = { micros: bigint; max: number; events: number };
  const fold = (acc: Acc, value: number) => {
    acc.events++;
    acc.micros += BigInt(Math.round(value * 1e6));
    acc.max = Math.max(acc.max, value);
  };
  const valueOf = (acc: Acc) => (aggregation === "sum" ? Number(acc.micros) / 1e6 : aggregation === "count" ? acc.events : acc.max);
  const total: Acc = { micros: 0n, max: 0, events: 0 };
  const groups = new Map<string, Acc>();
  // Streamed: a month of a busy meter is read a batch at a time, never held whole.
  for await (const doc of usageRecordModel(connection).find(filter).select({ value: 1, tenantId: 1, at: 1 }).lean().cursor({ batchSize: 1000 })) {
    fold(total, doc.value);
    if (q.groupBy !== "none") {
      const key = q.groupBy === "tenant" ? doc.tenantId : doc.at.toISOString().slice(0, 10);
      const group = groups.get(key) ?? { micros: 0n, max: 0, events: 0 };
      fold(group, doc.value);
      groups.set(key, group);
    }
  }
  return {
    meterId: String(meter._id),
    meterApiName: meter.meterApiName,
    aggregation,
    startTimeInSeconds: q.startTimeInSeconds,
    endTimeInSeconds: q.endTimeInSeconds,
    value: valueOf(total),
    events: total.events,
    groups: [...groups].map(([key, g]) => ({ key, value: valueOf(g), events: g.events })).sort((a, b) => a.key.localeCompare(b.key)),
  };
}

export const CancelQuery = z
  .object({
    meterApiName: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "Use a meter's meterApiName").optional(),
    tenantId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "Use the tenant's id").optional(),
    ingestedFromSeconds: Seconds,
    ingestedToSeconds: Seconds,
  })
  .refine((q) => q.ingestedToSeconds > q.ingestedFromSeconds, { message: "End after the start", path: ["ingestedToSeconds"] });

/** SBT's DELETE /usage: cancels the events ingested in a time range (of a meter, a tenant). Asked again, it cancels nothing more. */
export async function cancelUsage(connection: Connection, query: unknown, now: Date = new Date()): Promise<{ cancelled: number }> {
  const q = parseInput(CancelQuery, query ?? {}, "events to cancel");
  const filter: Record<string, unknown> = { ingestedAt: { $gte: new Date(q.ingestedFromSeconds * 1000), $lt: new Date(q.ingestedToSeconds * 1000) }, cancelledAt: null };
  if (q.meterApiName) filter.meterApiName = q.meterApiName;
  if (q.tenantId) filter.tenantId = q.tenantId;
  if (!q.meterApiName && !q.tenantId && q.ingestedToSeconds - q.ingestedFromSeconds > 86_400) {
    throw new InvalidInputError("Cancelling every meter of every tenant is limited to a day at a time. Name a meter or a tenant, or narrow the range.", [{ name: "ingestedToSeconds", message: "too wide" }]);
  }
  // Recorded before the events are marked, so what was already pushed to a billing meter is
  // corrected even if this stops half-way (billing/meter-push.ts reads these).
  const id = randomUUID();
  await usageCancellations(connection).insertOne({ _id: id, meterApiName: q.meterApiName ?? null, tenantId: q.tenantId ?? null, from: new Date(q.ingestedFromSeconds * 1000), to: new Date(q.ingestedToSeconds * 1000), at: now, markedAt: null, billedAt: null });
  const { modifiedCount } = await usageRecordModel(connection).updateMany(filter, { $set: { cancelledAt: now } });
  await usageCancellations(connection).updateOne({ _id: id }, { $set: { markedAt: new Date() } });
  return { cancelled: modifiedCount };
}

/** A cancellation as asked (meter, tenant, ingestion range), for what was already billed. */
export interface UsageCancellation {
  _id: string;
  meterApiName: string | null;
  tenantId: string | null;
  from: Date;
  to: Date;
  at: Date;
  /** When its events were all marked (billing recounts only after that, or an hour after `at`). */
  markedAt: Date | null;
  /** When billing corrected what it had pushed for this range; null until then. */
  billedAt: Date | null;
}
export const usageCancellations = (c: Connection) => c.collection<UsageCancellation>("usage_cancellations");

/** Per tenant (its id in lower case), the sum of a meter over events ingested in [from, to), cancelled ones left out. */
export async function ingestedSums(connection: Connection, meterApiName: string, from: Date, to: Date): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  for await (const r of usageRecordModel(connection).find({ meterApiName, ingestedAt: { $gte: from, $lt: to } }).select({ tenantId: 1, value: 1, cancelledAt: 1 }).lean().cursor({ batchSize: 1000 })) {
    if (r.cancelledAt) continue;
    const tenant = r.tenantId.toLowerCase();
    sums.set(tenant, (sums.get(tenant) ?? 0) + r.value);
  }
  return sums;
}
