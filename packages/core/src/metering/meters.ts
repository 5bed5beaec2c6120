import { Schema, type Connection, type InferSchemaType, type Model, type Types } from "mongoose";
import { z } from "zod";
import { isDuplicateKeyError } from "../database/index.js";
import { ConflictError, NotFoundError, parseInput } from "../errors/index.js";
import { forgetMeterName } from "./usage.js";

/**
 * Meters (SBT-AWS's IMetering): what is counted, by name. A usage event names its meter by
 * `meterApiName`; Tandem's own meters (replies' tokens by model, images) exist from the start and
 * cannot be removed; operators add others for their application plane's events.
 */
export const AGGREGATIONS = ["sum", "count", "max"] as const;

const meterSchema = new Schema(
  {
    meterApiName: { type: String, required: true },
    displayName: { type: String, required: true },
    description: { type: String, default: "" },
    unit: { type: String, default: "units" },
    aggregation: { type: String, enum: AGGREGATIONS, default: "sum" },
    // Tandem's own meters are fed by the app and cannot be changed or removed.
    builtIn: { type: Boolean, default: false },
    // The Stripe billing meter's event name its usage is pushed to (billing/meter-push.ts); none: not billed.
    stripeEventName: { type: String, default: null },
  },
  { timestamps: true, collection: "meters" },
);
meterSchema.index({ meterApiName: 1 }, { unique: true, name: "meter_api_name_unique" });

type MeterDocument = InferSchemaType<typeof meterSchema>;
export function meterModel(connection: Connection): Model<MeterDocument> {
  return (connection.models.Meter as Model<MeterDocument> | undefined) ?? connection.model("Meter", meterSchema);
}

export const MeterApiName = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "Name meters with lower-case letters, digits, _ and - (at most 64, starting with a letter)");

export const MeterInput = z
  .object({
    meterApiName: MeterApiName,
    displayName: z.string().trim().min(1, "Give the meter a display name").max(100),
    description: z.string().trim().max(500).optional(),
    unit: z.string().trim().min(1).max(40).optional(),
    aggregation: z.enum(AGGREGATIONS, { message: "Use sum, count or max" }).optional(),
    stripeEventName: z.string().regex(/^[A-Za-z0-9_]{1,100}$/, "Use the event name of a Stripe billing meter (letters, digits and _)").nullable().optional(),
  })
  .strict();

/** What a PUT may change: never the name (usage events name it) or the built-in flag. */
export const MeterUpdate = MeterInput.omit({ meterApiName: true }).partial().strict();

export interface Meter {
  readonly meterId: string;
  readonly meterApiName: string;
  readonly displayName: string;
  readonly description: string;
  readonly unit: string;
  readonly aggregation: (typeof AGGREGATIONS)[number];
  readonly builtIn: boolean;
  readonly stripeEventName: string | null;
  readonly createdAt: string;
}

/** Tandem's own meters: every metered model call lands in one of them. */
export const BUILT_IN_METERS: ReadonlyArray<z.infer<typeof MeterInput>> = [
  { meterApiName: "reply_input_tokens", displayName: "Reply input tokens", unit: "tokens", aggregation: "sum", description: "Tokens sent to chat models, by model" },
  { meterApiName: "reply_output_tokens", displayName: "Reply output tokens", unit: "tokens", aggregation: "sum", description: "Tokens chat models answered with, by model" },
  { meterApiName: "images", displayName: "Images generated", unit: "images", aggregation: "sum", description: "Images made by image models, by model" },
  { meterApiName: "embedding_tokens", displayName: "Embedding tokens", unit: "tokens", aggregation: "sum", description: "Tokens embedded for knowledge files and questions, by model" },
  { meterApiName: "cost_usd", displayName: "Model cost", unit: "USD", aggregation: "sum", description: "What the model calls cost at the catalog's prices" },
];

type Stored = MeterDocument & { _id: Types.ObjectId; createdAt?: Date };
const toMeter = (d: Stored): Meter => ({
  meterId: String(d._id),
  meterApiName: d.meterApiName,
  displayName: d.displayName,
  description: d.description ?? "",
  unit: d.unit ?? "units",
  aggregation: (d.aggregation ?? "sum") as Meter["aggregation"],
  builtIn: Boolean(d.builtIn),
  stripeEventName: d.stripeEventName ?? null,
  createdAt: (d.createdAt ?? new Date(0)).toISOString(),
});

/** Creates Tandem's own meters once (a unique name decides concurrent starts). */
export async function ensureBuiltInMeters(connection: Connection): Promise<void> {
  const meters = meterModel(connection);
  // The unique index must exist before the first create, or two starts could both create one.
  await meters.init();
  const present = new Set((await meters.find({ builtIn: true }).select({ meterApiName: 1 }).lean()).map((m) => m.meterApiName));
  for (const meter of BUILT_IN_METERS) {
    if (present.has(meter.meterApiName)) continue;
    await meters.create({ ...meter, builtIn: true }).catch((error: unknown) => {
      if (!isDuplicateKeyError(error)) throw error;
    });
  }
}

const missing = (id: string) => new NotFoundError(`There is no meter ${String(id).slice(0, 64)}. List /meters to find its id.`, "metering.meter_not_found");

export async function meterOf(connection: Connection, meterId: string): Promise<Stored> {
  if (!/^[0-9a-f]{24}$/i.test(meterId)) throw missing(meterId);
  const doc = await meterModel(connection).findById(meterId).lean();
  if (!doc) throw missing(meterId);
  return doc as Stored;
}

export async function meterNamed(connection: Connection, meterApiName: string): Promise<Stored | undefined> {
  return ((await meterModel(connection).findOne({ meterApiName }).lean()) as Stored | null) ?? undefined;
}

export async function createMeter(connection: Connection, input: unknown): Promise<Meter> {
  const data = parseInput(MeterInput, input, "meter");
  try {
    return toMeter((await meterModel(connection).create(data)).toObject() as Stored);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    throw new ConflictError(`A meter named ${data.meterApiName} exists already. Use it, or choose another name.`, "metering.meter_exists");
  }
}

export async function listMeters(connection: Connection): Promise<Meter[]> {
  await ensureBuiltInMeters(connection);
  return (await meterModel(connection).find().sort({ _id: 1 }).limit(1000).lean()).map((d) => toMeter(d as Stored));
}

export async function getMeter(connection: Connection, meterId: string): Promise<Meter> {
  return toMeter(await meterOf(connection, meterId));
}

export async function updateMeter(connection: Connection, meterId: string, input: unknown): Promise<Meter> {
  const data = parseInput(MeterUpdate, input ?? {}, "meter's changes");
  const meter = await meterOf(connection, meterId);
  // Of Tandem's own meters only the Stripe meter they are billed through may change.
  if (meter.builtIn && Object.keys(data).some((k) => k !== "stripeEventName")) throw new ConflictError("Tandem's own meters are fixed but for their Stripe meter (stripeEventName). Create a meter of your own to change other settings.", "metering.meter_built_in");
  if (Object.keys(data).length) await meterModel(connection).updateOne({ _id: meter._id }, { $set: data });
  return getMeter(connection, meterId);
}

/** Removes a meter; its usage stays (it is what was billed), but no new event is taken for it. */
export async function deleteMeter(connection: Connection, meterId: string): Promise<void> {
  const meter = await meterOf(connection, meterId);
  if (meter.builtIn) throw new ConflictError("Tandem's own meters cannot be removed: the app feeds them.", "metering.meter_built_in");
  await meterModel(connection).deleteOne({ _id: meter._id });
  forgetMeterName(meter.meterApiName);
}
