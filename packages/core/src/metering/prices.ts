import type { Connection } from "mongoose";
import { z } from "zod";
import { shelf } from "../access/cache.js";
import type { ModelCatalog, ModelEntry } from "../ai/index.js";
import { isDuplicateKeyError } from "../database/index.js";
import { ConflictError, NotFoundError, parseInput } from "../errors/index.js";
import { runAsSystem } from "../tenancy/index.js";
import { usageEventModel } from "../notebooks/model.js";

/**
 * The price table: what each model's units cost, in versions. An operator changes prices by adding
 * a version that takes effect at a time (now, or later); a version is never edited, so every usage
 * event is priced with the version in force when it happened, and a reconciliation can recompute
 * any day's cost from the raw token counts. Version 1 is the catalog's prices, made on first use.
 */
export const PRICE_UNITS = ["input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "images", "embedding_tokens"] as const;
export type PriceUnit = (typeof PRICE_UNITS)[number];

const ModelPrices = z
  .object({
    // Per 1,000 tokens; per image.
    input_tokens: z.number().nonnegative().max(1000).optional(),
    output_tokens: z.number().nonnegative().max(1000).optional(),
    cache_read_tokens: z.number().nonnegative().max(1000).optional(),
    cache_write_tokens: z.number().nonnegative().max(1000).optional(),
    images: z.number().nonnegative().max(1000).optional(),
    embedding_tokens: z.number().nonnegative().max(1000).optional(),
  })
  .strict();

export const PriceVersionInput = z
  .object({
    // When it takes effect (ISO 8601); now when left out. Never in the past: what happened was priced already.
    effectiveFrom: z.string().datetime({ offset: true }).optional(),
    note: z.string().trim().max(300).optional(),
    // USD by model id and unit (tokens per 1,000; images each).
    prices: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9._:/-]{1,200}$/, "Use a model id as the catalog names it")
          .refine((id) => !["__proto__", "constructor", "prototype"].includes(id), "Use a model id as the catalog names it"),
        ModelPrices,
      ).refine((p) => Object.keys(p).length > 0 && Object.keys(p).length <= 500, "Price 1 to 500 models"),
  })
  .strict();

export interface PriceVersion {
  readonly version: number;
  readonly effectiveFrom: string;
  readonly note: string;
  readonly prices: Record<string, Partial<Record<PriceUnit, number>>>;
  readonly createdAt: string;
}

interface StoredVersion {
  _id: number;
  effectiveFrom: Date;
  note: string;
  prices: Record<string, Partial<Record<PriceUnit, number>>>;
  createdAt: Date;
}

// Stored with the prices as a list: model ids hold dots, which field names may not.
type StoredDocument = Omit<StoredVersion, "prices"> & { prices: Array<{ modelId: string } & Partial<Record<PriceUnit, number>>> };
const collection = (connection: Connection) => connection.collection<StoredDocument>("price_versions");
const versions = (connection: Connection) => ({
  async find(): Promise<StoredVersion[]> {
    const docs = await collection(connection).find({}).sort({ _id: 1 }).toArray();
    return docs.map((d) => ({ ...d, prices: Object.fromEntries(d.prices.map(({ modelId, ...units }) => [modelId, units])) }));
  },
  insertOne(v: StoredVersion) {
    return collection(connection).insertOne({ ...v, prices: Object.entries(v.prices).map(([modelId, units]) => ({ modelId, ...units })) });
  },
});
const toVersion = (v: StoredVersion): PriceVersion => ({ version: v._id, effectiveFrom: v.effectiveFrom.toISOString(), note: v.note, prices: v.prices, createdAt: v.createdAt.toISOString() });

// Every version, kept for the access cache's TTL: read on every reply; forgotten here when one is added.
const table = shelf<{ all: StoredVersion[] }>();

function catalogPrices(catalog: ModelCatalog): StoredVersion["prices"] {
  const prices: StoredVersion["prices"] = {};
  for (const m of catalog.models) {
    prices[m.id] = m.capabilities.includes("embeddings")
      ? { embedding_tokens: m.inputPricePer1k }
      : m.capabilities.includes("images")
        ? { images: m.pricePerImage }
        : { input_tokens: m.inputPricePer1k, output_tokens: m.outputPricePer1k };
  }
  return prices;
}

async function allVersions(connection: Connection, catalog: ModelCatalog): Promise<StoredVersion[]> {
  const entry = await table.remember("all", async () => {
    let all = await versions(connection).find();
    if (!all.length) {
      // Version 1: the catalog's prices, in force from the beginning (a unique _id decides concurrent starts).
      await versions(connection)
        .insertOne({ _id: 1, effectiveFrom: new Date(0), note: "The catalog's prices", prices: catalogPrices(catalog), createdAt: new Date() })
        .catch((error: unknown) => {
          if (!isDuplicateKeyError(error)) throw error;
        });
      all = await versions(connection).find();
    }
    return { all };
  });
  return entry!.all;
}

/** The version in force at `at`: the newest to take effect at or before it. */
function inForce(all: readonly StoredVersion[], at: Date): StoredVersion {
  let found = all[0]!;
  for (const v of all) if (v.effectiveFrom <= at && (v.effectiveFrom > found.effectiveFrom || (v.effectiveFrom.getTime() === found.effectiveFrom.getTime() && v._id > found._id))) found = v;
  return found;
}

export interface Usage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly cacheReadTokens?: number;
  readonly cacheWriteTokens?: number;
  readonly images?: number;
  readonly embeddingTokens?: number;
}

/** Cost in USD, in millionths rounded once, of usage at one version's prices (a model it does not price costs 0). */
export function costAt(prices: StoredVersion["prices"] | PriceVersion["prices"], modelId: string, usage: Usage): number {
  const p = prices[modelId] ?? {};
  const micros =
    ((usage.inputTokens ?? 0) * (p.input_tokens ?? 0) +
      (usage.outputTokens ?? 0) * (p.output_tokens ?? 0) +
      (usage.cacheReadTokens ?? 0) * (p.cache_read_tokens ?? 0) +
      (usage.cacheWriteTokens ?? 0) * (p.cache_write_tokens ?? 0) +
      (usage.embeddingTokens ?? 0) * (p.embedding_tokens ?? 0)) *
      1000 +
    (usage.images ?? 0) * (p.images ?? 0) * 1e6;
  return Math.round(micros) / 1e6;
}

/** Prices usage with the version in force at `at`; the version goes with the usage event. */
export async function priceUsage(connection: Connection, catalog: ModelCatalog, model: Pick<ModelEntry, "id">, usage: Usage, at: Date): Promise<{ costUsd: number; priceVersion: number }> {
  const version = inForce(await allVersions(connection, catalog), at);
  return { costUsd: costAt(version.prices, model.id, usage), priceVersion: version._id };
}

export async function listPriceVersions(connection: Connection, catalog: ModelCatalog): Promise<PriceVersion[]> {
  return (await allVersions(connection, catalog)).map(toVersion);
}

export async function currentPrices(connection: Connection, catalog: ModelCatalog, now: Date = new Date()): Promise<PriceVersion> {
  return toVersion(inForce(await allVersions(connection, catalog), now));
}

/** Adds a version (the next number; a unique _id decides two at once: the second is asked to retry). */
export async function addPriceVersion(connection: Connection, catalog: ModelCatalog, input: unknown, now: Date = new Date()): Promise<PriceVersion> {
  const data = parseInput(PriceVersionInput, input, "prices");
  const effectiveFrom = data.effectiveFrom ? new Date(data.effectiveFrom) : now;
  if (effectiveFrom.getTime() < now.getTime() - 60_000) throw new ConflictError("A price version cannot take effect in the past: what happened was priced already. Give a time from now on.", "pricing.effective_in_past");
  const all = await allVersions(connection, catalog);
  const next: StoredVersion = { _id: all.at(-1)!._id + 1, effectiveFrom, note: data.note ?? "", prices: { ...inForce(all, effectiveFrom).prices, ...data.prices }, createdAt: now };
  try {
    await versions(connection).insertOne(next);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    throw new ConflictError("Another price version was added at the same moment. Reload the prices and try again.", "pricing.version_taken");
  } finally {
    table.forget("all");
  }
  return toVersion(next);
}

export const ReconciliationQuery = z
  .object({
    from: z.string().datetime({ offset: true, message: "Give `from` as an ISO 8601 time" }),
    to: z.string().datetime({ offset: true, message: "Give `to` as an ISO 8601 time" }),
    tenantId: z.string().regex(/^[0-9a-f]{24}$/i, "Use an organisation's id").optional(),
  })
  .refine((q) => new Date(q.to) > new Date(q.from), { message: "End after the start", path: ["to"] })
  .refine((q) => new Date(q.to).getTime() - new Date(q.from).getTime() <= 93 * 86_400_000, { message: "Ask for at most 93 days at a time", path: ["to"] });

export interface ReconciliationRow {
  readonly tenantId: string;
  readonly modelId: string;
  readonly day: string;
  readonly events: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly images: number;
  /** What was recorded when the calls were made. */
  readonly recordedUsd: number;
  /** Recomputed from the raw counts with the version in force at each call. */
  readonly recomputedUsd: number;
  readonly differenceUsd: number;
  readonly priceVersions: readonly number[];
}

/**
 * Per tenant, model and day: the raw counts, the cost recorded at the time, and the cost recomputed
 * from the counts with the price version in force at each call, so a difference from the provider's
 * bill (or between the two) can be traced to a model and a day.
 */
export async function reconcile(connection: Connection, catalog: ModelCatalog, query: unknown): Promise<ReconciliationRow[]> {
  const q = parseInput(ReconciliationQuery, query ?? {}, "period");
  const all = await allVersions(connection, catalog);
  const filter: Record<string, unknown> = { at: { $gte: new Date(q.from), $lt: new Date(q.to) } };
  if (q.tenantId) filter.tenantId = q.tenantId;
  const rows = new Map<string, { tenantId: string; modelId: string; day: string; events: number; inputTokens: number; outputTokens: number; images: number; recorded: number; recomputed: number; versions: Set<number> }>();
  await runAsSystem("reconcile usage across tenants", async () => {
    for await (const u of usageEventModel(connection).find(filter).lean().cursor({ batchSize: 1000 })) {
      const day = u.at.toISOString().slice(0, 10);
      const key = `${String(u.tenantId)}|${u.modelId}|${day}`;
      const row = rows.get(key) ?? { tenantId: String(u.tenantId), modelId: u.modelId, day, events: 0, inputTokens: 0, outputTokens: 0, images: 0, recorded: 0, recomputed: 0, versions: new Set<number>() };
      const version = inForce(all, u.at);
      row.events++;
      row.inputTokens += u.inputTokens;
      row.outputTokens += u.outputTokens;
      row.images += u.images ?? 0;
      // In millionths, as integers: sums exact in any order.
      row.recorded += Math.round(u.costUsd * 1e6);
      row.recomputed += Math.round(costAt(version.prices, u.modelId, { inputTokens: u.inputTokens, outputTokens: u.outputTokens, images: u.images ?? 0 }) * 1e6);
      row.versions.add(version._id);
      rows.set(key, row);
    }
  });
  return [...rows.values()]
    .map((r) => ({ tenantId: r.tenantId, modelId: r.modelId, day: r.day, events: r.events, inputTokens: r.inputTokens, outputTokens: r.outputTokens, images: r.images, recordedUsd: r.recorded / 1e6, recomputedUsd: r.recomputed / 1e6, differenceUsd: (r.recorded - r.recomputed) / 1e6, priceVersions: [...r.versions].sort((a, b) => a - b) }))
    .sort((a, b) => a.day.localeCompare(b.day) || a.tenantId.localeCompare(b.tenantId) || a.modelId.localeCompare(b.modelId));
}

export const priceVersionNotFound = (v: string) => new NotFoundError(`There is no price version ${v.slice(0, 20)}. List /prices to find it.`, "pricing.version_not_found");
