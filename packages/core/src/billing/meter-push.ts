import type { Connection } from "mongoose";
import { isDuplicateKeyError, withLease } from "../database/index.js";
import { ingestedSums, listMeters, usageCancellations } from "../metering/index.js";
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
 *
 * Corrections: an operator's cancellation (DELETE /usage) can change a closed hour after it was
 * pushed. Each cancellation is recorded before its events are marked; the job then recounts the
 * hours it touches. A push not yet sent takes the new value. A sent one is withdrawn from Stripe (a
 * meter event adjustment cancelling its identifier, which Stripe allows for 24 hours) and replaced
 * by a revision (`…:r1`, `…:r2`) with the new value. Each step is recorded before the next, so a
 * crash repeats only the step in flight, and a cancel Stripe has already done is taken as done.
 * An event older than Stripe's 24 hours cannot be withdrawn: it is marked with the value it should
 * have had, for an operator to credit the customer, and the job reports it.
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
  /** The hour as text (YYYY-MM-DDTHH), for equality reads by hour. */
  hourKey?: string;
  revision?: number;
  /** A correction under way: the value the hour has now. */
  correctTo?: number | null;
  /** Withdrawn from Stripe and replaced by supersededBy (when the hour still has a value). */
  withdrawnAt?: Date | null;
  supersededBy?: string | null;
  /** Too old for Stripe to withdraw: the customer was billed this much more than the usage. */
  overbilledBy?: number;
}
const pushes = (c: Connection) => c.collection<PushDoc>("billing_meter_pushes");
const marks = (c: Connection) => c.collection<{ _id: string; through: Date }>("billing_marks");
const HOUR = 3_600_000;

/** How long after an hour ends before it is pushed (ingestion in flight at the boundary lands first). */
const SETTLE_MS = 5 * 60_000;

const hourKeyOf = (hour: Date) => hour.toISOString().slice(0, 13);
export const pushIdentifier = (tenantId: string, meter: string, hour: Date, revision = 0) => `tandem:${tenantId}:${meter}:${hourKeyOf(hour)}${revision ? `:r${revision}` : ""}`;
/** How long after receiving an event Stripe lets it be cancelled (less a margin for the clock). */
const CANCEL_WINDOW_MS = 23.5 * HOUR;

export interface PushOptions {
  /** Tandem meter → Stripe event name; by default the meters operators gave a `stripeEventName`. */
  readonly stripeMeters?: Readonly<Record<string, string>>;
  /** Called after each accepted send (the tests stop here to play a crash). */
  readonly afterSend?: (identifier: string) => void;
}

export async function pushUsageToStripe(connection: Connection, stripe: Stripe, options: PushOptions, now: Date = new Date()): Promise<{ aggregated: number; sent: number; corrected: number; overbilled: number }> {
  return withLease(connection, "billing:meter-push", async () => {
    const stripeMeters = options.stripeMeters ?? Object.fromEntries((await listMeters(connection)).filter((m) => m.stripeEventName).map((m) => [m.meterApiName, m.stripeEventName!]));
    const aggregated = await aggregateClosedHours(connection, stripeMeters, now);
    const { corrected, overbilled } = await correctCancelledHours(connection, stripe, now);
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
    return { aggregated, sent, corrected, overbilled };
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
      for (const [tenantId, value] of await ingestedSums(connection, meter, new Date(from), new Date(to))) sums.set(`${tenantId}\u0000${meter}`, value);
    }
    for (const [key, value] of sums) {
      const [tenantId, meter] = key.split("\u0000") as [string, string];
      const customerId = customers.get(tenantId);
      const whole = Math.round(value);
      if (!customerId || whole <= 0) continue;
      const hour = new Date(from);
      try {
        await pushes(connection).insertOne({ _id: pushIdentifier(tenantId, meter, hour), tenantId, customerId, meterApiName: meter, eventName: stripeMeters[meter]!, hour, hourKey: hourKeyOf(hour), value: whole, sentAt: null });
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

/** Recounts the pushed hours that cancellations touched, and corrects what Stripe was sent. */
async function correctCancelledHours(connection: Connection, stripe: Stripe, now: Date): Promise<{ corrected: number; overbilled: number }> {
  let corrected = 0;
  let overbilled = 0;
  const through = (await marks(connection).findOne({ _id: "meter-push" }))?.through.getTime() ?? 0;
  for (const cancellation of await usageCancellations(connection).find({ billedAt: null }).toArray()) {
    // Recounted once its events are marked; one never finished (a crash) after an hour, as it stands.
    if (!cancellation.markedAt && now.getTime() - cancellation.at.getTime() < HOUR) continue;
    // Hours not aggregated yet are counted without the cancelled events when their time comes.
    const last = Math.min(cancellation.to.getTime(), through);
    for (let hour = Math.floor(cancellation.from.getTime() / HOUR) * HOUR; hour < last; hour += HOUR) {
      const touched = (await pushes(connection).find({ hourKey: hourKeyOf(new Date(hour)) }).toArray()).filter(
        (p) => !p.withdrawnAt && (!cancellation.meterApiName || p.meterApiName === cancellation.meterApiName) && (!cancellation.tenantId || p.tenantId === cancellation.tenantId.toLowerCase()),
      );
      const sums = new Map<string, Map<string, number>>();
      for (const push of touched) {
        if (!sums.has(push.meterApiName)) sums.set(push.meterApiName, await ingestedSums(connection, push.meterApiName, new Date(hour), new Date(hour + HOUR)));
        const value = Math.round(sums.get(push.meterApiName)!.get(push.tenantId) ?? 0);
        const outcome = await correctPush(connection, stripe, push, value, now);
        if (outcome === "corrected") corrected++;
        if (outcome === "overbilled") overbilled++;
      }
    }
    await usageCancellations(connection).updateOne({ _id: cancellation._id }, { $set: { billedAt: now } });
  }
  return { corrected, overbilled };
}

async function correctPush(connection: Connection, stripe: Stripe, push: PushDoc, value: number, now: Date): Promise<"unchanged" | "corrected" | "overbilled"> {
  if (push.correctTo === undefined || push.correctTo === null) {
    if (value === push.value) return "unchanged";
    if (!push.sentAt) {
      // Not sent yet: it goes with the value the hour has now (or not at all).
      if (value > 0) await pushes(connection).updateOne({ _id: push._id }, { $set: { value } });
      else await pushes(connection).deleteOne({ _id: push._id });
      return "corrected";
    }
    if (now.getTime() - push.sentAt.getTime() > CANCEL_WINDOW_MS) {
      await pushes(connection).updateOne({ _id: push._id }, { $set: { overbilledBy: push.value - value } });
      return "overbilled";
    }
    await pushes(connection).updateOne({ _id: push._id }, { $set: { correctTo: value } });
  }
  const target = push.correctTo ?? value;
  try {
    await stripe.billing.meterEventAdjustments.create({ event_name: push.eventName, type: "cancel", cancel: { identifier: push._id } });
  } catch (error) {
    // Cancelled before a crash: done.
    if (!(error instanceof Error && /already (been )?cancel/i.test(error.message))) throw error;
  }
  const revision = (push.revision ?? 0) + 1;
  const next = pushIdentifier(push.tenantId, push.meterApiName, push.hour, revision);
  if (target > 0) {
    try {
      await pushes(connection).insertOne({ _id: next, tenantId: push.tenantId, customerId: push.customerId, meterApiName: push.meterApiName, eventName: push.eventName, hour: push.hour, hourKey: hourKeyOf(push.hour), revision, value: target, sentAt: null });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  await pushes(connection).updateOne({ _id: push._id }, { $set: { withdrawnAt: now, supersededBy: target > 0 ? next : null } });
  return "corrected";
}

/** The identifiers recorded for an organisation, for the tests and the operators. */
export async function listPushes(connection: Connection, tenantId?: string): Promise<PushDoc[]> {
  return pushes(connection).find(tenantId ? { tenantId: tenantId.toLowerCase() } : {}).toArray();
}
