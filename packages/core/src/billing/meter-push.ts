import type { Connection } from "mongoose";
import { isDuplicateKeyError, withLease } from "../database/index.js";
import { listMeters, usageRecordModel } from "../metering/index.js";
import { accounts } from "./accounts.js";
import type { Stripe } from "./stripe.js";

/**
 * Usage pushed to Stripe's billing meters by the scheduled billing job: per organisation, meter
 * and closed hour of ingestion, one meter event whose `identifier` names that aggregate. An
 * aggregate is recorded (pending) before it is sent and marked sent after; a crash in between
 * sends it again with the same identifier and value, which Stripe counts once. A closed hour's
 * records never change (ingestion only adds to the current hour), so the value sent again is the
 * same. Meters are pushed under the Stripe meter's event name (`stripeMeters`: Tandem meter →
 * Stripe event name); values are whole numbers, as Stripe's meters take them.
 */
interface PushDoc {
  _id: string;
  tenantId: string;
  customerId: string;
  meterApiName: string;
  eventName: string;
  hour: Date;
  value: number;
  sentAt: Date | null;
}
const pushes = (c: Connection) => c.collection<PushDoc>("billing_meter_pushes");
const marks = (c: Connection) => c.collection<{ _id: string; through: Date }>("billing_marks");

const HOUR = 3_600_000;
/** How long after an hour ends before it is pushed (ingestion in flight at the boundary lands first). */
const SETTLE_MS = 5 * 60_000;

export const pushIdentifier = (tenantId: string, meter: string, hour: Date) => `tandem:${tenantId}:${meter}:${hour.toISOString().slice(0, 13)}`;

export interface PushOptions {
  /** Tandem meter → Stripe event name; by default the meters operators gave a `stripeEventName`. */
  readonly stripeMeters?: Readonly<Record<string, string>>;
  /** Called after each accepted send (the tests stop here to play a crash). */
  readonly afterSend?: (identifier: string) => void;
}

export async function pushUsageToStripe(connection: Connection, stripe: Stripe, options: PushOptions, now: Date = new Date()): Promise<{ aggregated: number; sent: number }> {
  return withLease(connection, "billing:meter-push", async () => {
    const stripeMeters = options.stripeMeters ?? Object.fromEntries((await listMeters(connection)).filter((m) => m.stripeEventName).map((m) => [m.meterApiName, m.stripeEventName!]));
    const aggregated = await aggregateClosedHours(connection, stripeMeters, now);
    let sent = 0;
    for (const push of await pushes(connection).find({ sentAt: null }).toArray()) {
      try {
        await stripe.billing.meterEvents.create({ event_name: push.eventName, identifier: push._id, timestamp: Math.floor(push.hour.getTime() / 1000), payload: { stripe_customer_id: push.customerId, value: String(push.value) } });
      } catch (error) {
        // Stripe already has this identifier: it was sent before a crash.
        if (!(error instanceof Error && /identifier/i.test(error.message) && /exist|duplicate|already/i.test(error.message))) throw error;
      }
      options.afterSend?.(push._id);
      await pushes(connection).updateOne({ _id: push._id }, { $set: { sentAt: new Date() } });
      sent++;
    }
    return { aggregated, sent };
  }, { waitMs: 0, what: "The push of usage to Stripe" });
}

async function aggregateClosedHours(connection: Connection, stripeMeters: Readonly<Record<string, string>>, now: Date): Promise<number> {
  const meters = Object.keys(stripeMeters);
  if (!meters.length) return 0;
  const mark = await marks(connection).findOne({ _id: "meter-push" });
  const lastClosed = Math.floor((now.getTime() - SETTLE_MS) / HOUR) * HOUR;
  // The first run starts a day back; later runs where the last stopped.
  let from = mark?.through.getTime() ?? lastClosed - 24 * HOUR;
  let created = 0;
  const customers = new Map((await accounts(connection).find({ customerId: { $ne: null } }).toArray()).map((a) => [a._id, a.customerId!]));
  while (from < lastClosed) {
    const to = from + HOUR;
    const sums = new Map<string, number>();
    for (const meter of meters) {
      for await (const r of usageRecordModel(connection).find({ meterApiName: meter, ingestedAt: { $gte: new Date(from), $lt: new Date(to) } }).select({ tenantId: 1, value: 1, cancelledAt: 1 }).lean().cursor({ batchSize: 1000 })) {
        if (r.cancelledAt) continue;
        const key = `${r.tenantId.toLowerCase()}\u0000${meter}`;
        sums.set(key, (sums.get(key) ?? 0) + r.value);
      }
    }
    for (const [key, value] of sums) {
      const [tenantId, meter] = key.split("\u0000") as [string, string];
      const customerId = customers.get(tenantId);
      const whole = Math.round(value);
      if (!customerId || whole <= 0) continue;
      const hour = new Date(from);
      try {
        await pushes(connection).insertOne({ _id: pushIdentifier(tenantId, meter, hour), tenantId, customerId, meterApiName: meter, eventName: stripeMeters[meter]!, hour, value: whole, sentAt: null });
        created++;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    from = to;
    await marks(connection).replaceOne({ _id: "meter-push" }, { through: new Date(from) }, { upsert: true });
  }
  return created;
}

/** The identifiers recorded for an organisation, for the tests and the operators. */
export async function listPushes(connection: Connection, tenantId?: string): Promise<PushDoc[]> {
  return pushes(connection).find(tenantId ? { tenantId: tenantId.toLowerCase() } : {}).toArray();
}
