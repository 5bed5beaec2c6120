import type { Connection } from "mongoose";
import type { ModelCatalog, ModelEntry } from "../ai/index.js";
import { isDuplicateKeyError, upsertRacing } from "../database/index.js";
import { usageEventModel } from "../notebooks/model.js";
import { priceUsage } from "./prices.js";
import { ensureBuiltInMeters } from "./meters.js";
import { insertOnce } from "./usage.js";

/**
 * Tandem's own usage on its meters: each metered model call (a reply's tokens, an image) becomes
 * usage records on the built-in meters, keyed by the call's own key and the meter, so metering it
 * again (the sweeper after a crash) counts nothing twice. Dimensions: the model and the member.
 */
interface UsageLike {
  readonly idempotencyKey: string;
  readonly tenantId: unknown;
  readonly userId: unknown;
  readonly modelId: string;
  readonly kind?: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly images?: number | null;
  readonly costUsd: number;
  readonly at: Date;
}

export function recordsOf(usage: UsageLike, now: Date = new Date()): Array<Record<string, unknown>> {
  const dimensions = { model: usage.modelId, userId: String(usage.userId) };
  const base = { tenantId: String(usage.tenantId), dimensions, source: "tandem", at: usage.at, ingestedAt: now, cancelledAt: null };
  const values: Array<[string, number]> =
    usage.kind === "image"
      ? [
          ["images", usage.images ?? 1],
          ["cost_usd", usage.costUsd],
        ]
      : usage.kind === "embedding"
        ? [
            ["embedding_tokens", usage.inputTokens],
            ["cost_usd", usage.costUsd],
          ]
        : [
          ["reply_input_tokens", usage.inputTokens],
          ["reply_output_tokens", usage.outputTokens],
          ["cost_usd", usage.costUsd],
        ];
  return values.filter(([, value]) => value > 0).map(([meterApiName, value]) => ({ ...base, meterApiName, value, idempotencyKey: `${usage.idempotencyKey}:${meterApiName}` }));
}

/** Meters model calls just made (one write); what a failure leaves, the sweeper meters. */
export async function meterTandemUsage(connection: Connection, usage: readonly UsageLike[], now: Date = new Date()): Promise<number> {
  return insertOnce(connection, usage.flatMap((u) => recordsOf(u, now)));
}

const WATERMARK = "metering.tandem_usage";
/** How far back the sweeper looks again, for calls metered late (a long reply's usage is dated when it ends). */
const OVERLAP_MS = 15 * 60_000;

/**
 * The sweeper (hourly housekeeping): meters every model call since its last run, less an overlap,
 * whatever the inline metering did (duplicates count once). Runs as the system, across tenants.
 */
export async function meterPendingUsage(connection: Connection, now: Date = new Date(), max = 50_000): Promise<number> {
  await ensureBuiltInMeters(connection);
  const marks = connection.collection<{ _id: string; at: Date }>("metering_marks");
  const mark = await marks.findOne({ _id: WATERMARK });
  const since = new Date((mark?.at.getTime() ?? 0) - OVERLAP_MS);
  let stored = 0;
  let batch: UsageLike[] = [];
  let latest = mark?.at ?? new Date(0);
  const flush = async () => {
    stored += await meterTandemUsage(connection, batch, now);
    batch = [];
  };
  for await (const usage of usageEventModel(connection).find({ at: { $gte: since, $lte: now } }).sort({ at: 1 }).limit(max).lean().cursor({ batchSize: 500 })) {
    batch.push(usage as unknown as UsageLike);
    if (usage.at > latest) latest = usage.at;
    if (batch.length >= 500) await flush();
  }
  await flush();
  await upsertRacing(() => marks.updateOne({ _id: WATERMARK }, { $set: { at: latest } }, { upsert: true }));
  return stored;
}

/**
 * Records an embedding call's usage (a file's passages, a question's vector) as a usage event of
 * the embedding model, priced with the version in force, and puts it on the meters. Runs in the
 * tenant's scope (the caller's withTenant). Never fails the work it meters: a failure is left to
 * the caller's log, and what reached the usage events the sweeper meters.
 */
export async function recordEmbeddingUsage(
  connection: Connection,
  catalog: ModelCatalog | undefined,
  input: { idempotencyKey: string; userId: string; notebookId: string; model: ModelEntry; tokens: number; at?: Date },
): Promise<void> {
  if (input.tokens <= 0) return;
  const at = input.at ?? new Date();
  const ownPrice = () => ({ costUsd: Math.round((input.tokens / 1000) * input.model.inputPricePer1k * 1e6) / 1e6, priceVersion: null });
  const priced = catalog ? await priceUsage(connection, catalog, input.model, { embeddingTokens: input.tokens }, at).catch(ownPrice) : ownPrice();
  try {
    const usage = await usageEventModel(connection).create({ idempotencyKey: input.idempotencyKey, kind: "embedding", userId: input.userId, notebookId: input.notebookId, modelId: input.model.id, inputTokens: input.tokens, outputTokens: 0, ...priced, status: "complete", at });
    await meterTandemUsage(connection, [usage.toObject()]).catch(() => undefined);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
}
