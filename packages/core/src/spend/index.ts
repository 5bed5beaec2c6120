import { randomUUID } from "node:crypto";
import type { Connection } from "mongoose";
import { SpendCapsRequest } from "@tandem/client/contract";
import type { z } from "zod";
import { shelf } from "../access/cache.js";
import type { ModelEntry } from "../ai/index.js";
import { claimOnce, withLease, upsertRacing } from "../database/index.js";
import { ForbiddenError, InvalidInputError, parseInput } from "../errors/index.js";
import { usageEventModel } from "../notebooks/model.js";
import { runAsSystem, withTenant } from "../tenancy/index.js";
import { prepaidBalance } from "../billing/credits.js";
import { groupIdsOf, groupNames } from "../groups/groups.js";
import { groupMemberModel } from "../groups/model.js";

/**
 * Spend caps: an organisation's admins cap what its model calls may cost, for the organisation, for
 * each member and for each group of members (groups/), per day and per month (UTC), in USD. A
 * group's cap is shared by its members: what any of them spends counts against it. A reply is refused before the model is
 * called once a cap is reached, with a message naming the cap and who can raise it.
 *
 * Concurrency: a reply reserves the most it can cost, and the reservations in flight count as
 * spent. Where the whole reservation fits beside everything in flight, the reply passes without
 * the lease (reserveWithRoom); near a cap the check and the reservation are one step under the
 * organisation's spend lease, and a reply passes only while spent + reserved is under the cap.
 * Together, concurrent replies can overspend a cap by at most one reply's reservation. After the reply, its reservation is replaced by what it cost.
 * What a crash leaves (a reservation never settled) is released by the sweeper after 15 minutes,
 * and the hourly sweeper recounts the day's and month's spending from the usage events.
 *
 * Groups: a reply carries the groups its author was in when it was reserved (its reservation's
 * `groupIds`); the reservations in flight of a group are those that carry it, and the settlement
 * adds the cost to each of those groups' counters (`<tenant>|group|<groupId>|day|...`). The recount
 * counts each usage event for the groups its author is in at the time of the recount. Group
 * membership is read through the access cache (a change made in another process is seen within its
 * TTL), and only while some group has a cap.
 */
export const SpendCapsInput = SpendCapsRequest;
export type SpendCaps = z.infer<typeof SpendCapsInput>;

interface CapsDoc {
  _id: string;
  caps: SpendCaps;
  updatedAt: Date;
}
interface CounterDoc {
  _id: string;
  spentMicros: number;
}
interface ReservationDoc {
  _id: string;
  tenantId: string;
  userId: string;
  /** The groups the author was in (absent on reservations from before groups). */
  groupIds?: string[];
  micros: number;
  at: Date;
}

const capsCollection = (c: Connection) => c.collection<CapsDoc>("spend_caps");
const counters = (c: Connection) => c.collection<CounterDoc>("spend_counters");
const reservations = (c: Connection) => c.collection<ReservationDoc>("spend_reservations");

// Caps are read before every reply: kept for the access cache's TTL, forgotten here on change.
const known = shelf<{ caps: SpendCaps }>();

export async function getSpendCaps(connection: Connection, tenantId: string): Promise<SpendCaps> {
  const entry = await known.remember(tenantId.toLowerCase(), async () => ({ caps: (await capsCollection(connection).findOne({ _id: tenantId.toLowerCase() }))?.caps ?? {} }));
  return entry!.caps;
}

export async function setSpendCaps(connection: Connection, tenantId: string, input: unknown, now: Date = new Date()): Promise<SpendCaps> {
  const parsed = parseInput(SpendCapsInput, input, "spend caps");
  // Without `groups` the groups' caps stay as they are (a form of the organisation's and members'
  // caps need not know them); with it they are replaced. Only this organisation's groups.
  const kept = parsed.groups === undefined ? (await getSpendCaps(connection, tenantId)).groups : undefined;
  const caps: SpendCaps = kept ? { ...parsed, groups: kept } : parsed;
  if (parsed.groups?.length) {
    const existing = await groupNames(connection, tenantId);
    const missing = parsed.groups.filter((g) => !existing.has(g.groupId)).map((g) => g.groupId);
    if (missing.length) throw new InvalidInputError(`These groups are not in the organisation: ${missing.join(", ")}. Pick from its groups.`, [{ name: "groups", message: "unknown group" }], "group.not_found");
  }
  await upsertRacing(() => capsCollection(connection).replaceOne({ _id: tenantId.toLowerCase() }, { caps, updatedAt: now }, { upsert: true }));
  known.forget(tenantId.toLowerCase());
  // Counters are kept only while there are caps: counted afresh from the usage when caps are set.
  await recountTenant(connection, tenantId.toLowerCase(), now);
  return caps;
}

const day = (at: Date) => at.toISOString().slice(0, 10);
const month = (at: Date) => at.toISOString().slice(0, 7);
const micros = (usd: number) => Math.round(usd * 1e6);

async function readCounters(connection: Connection, keys: readonly string[]): Promise<CounterDoc[]> {
  return (await Promise.all(keys.map((key) => counters(connection).findOne({ _id: key })))).filter((c): c is CounterDoc => c !== null);
}

/**
 * The hourly recount: for every organisation with caps, today's and this month's counters are set
 * from the usage events (what was really metered), under the spend lease. So a crash between a
 * reply's metering and its settlement is corrected within the hour.
 */
export async function recountSpend(connection: Connection, now: Date = new Date()): Promise<number> {
  let recounted = 0;
  for (const doc of await capsCollection(connection).find({}).toArray()) {
    if (!hasCaps(doc.caps)) continue;
    await recountTenant(connection, doc._id, now);
    recounted++;
  }
  return recounted;
}

async function recountTenant(connection: Connection, tenantId: string, now: Date): Promise<void> {
  {
    const totals = new Map<string, number>();
    const add = (key: string, value: number) => totals.set(key, (totals.get(key) ?? 0) + value);
    const monthStart = new Date(`${month(now)}-01T00:00:00.000Z`);
    await withLease(connection, `spend:${tenantId}`, async () => {
      // Each group's members as they are now; a capped group with no spending is set to 0.
      const groupsOf = new Map<string, string[]>();
      for (const row of await withTenant(tenantId, () => groupMemberModel(connection).find().select({ groupId: 1, userId: 1 }).lean())) {
        groupsOf.set(String(row.userId), [...(groupsOf.get(String(row.userId)) ?? []), String(row.groupId)]);
      }
      for (const g of (await getSpendCaps(connection, tenantId)).groups ?? []) {
        const keys = groupCounterKeys(tenantId, g.groupId, now);
        add(keys.day, 0);
        add(keys.month, 0);
      }
      await runAsSystem("recount an organisation's spending", async () => {
        for await (const u of usageEventModel(connection).find({ tenantId, at: { $gte: monthStart, $lte: now } }).select({ userId: 1, costUsd: 1, at: 1 }).lean().cursor({ batchSize: 1000 })) {
          const keys = counterKeys(tenantId, String(u.userId), u.at);
          const cost = micros(u.costUsd);
          add(keys.orgMonth, cost);
          add(keys.memberMonth, cost);
          const groups = (groupsOf.get(String(u.userId)) ?? []).map((g) => groupCounterKeys(tenantId, g, u.at));
          for (const g of groups) add(g.month, cost);
          if (day(u.at) === day(now)) {
            add(keys.orgDay, cost);
            add(keys.memberDay, cost);
            for (const g of groups) add(g.day, cost);
          }
        }
      });
      for (const [key, spentMicros] of totals) await counters(connection).replaceOne({ _id: key }, { spentMicros }, { upsert: true });
    }, { waitMs: 30_000, what: "This organisation's spending" });
  }
}

/** The counters a model call of this person adds to. */
function counterKeys(tenantId: string, userId: string, at: Date) {
  const t = tenantId.toLowerCase();
  return {
    orgDay: `${t}|org|day|${day(at)}`,
    orgMonth: `${t}|org|month|${month(at)}`,
    memberDay: `${t}|member|${userId}|day|${day(at)}`,
    memberMonth: `${t}|member|${userId}|month|${month(at)}`,
  };
}

/** The counters of a group (what its members spent while in it). */
function groupCounterKeys(tenantId: string, groupId: string, at: Date) {
  const t = tenantId.toLowerCase();
  return { day: `${t}|group|${groupId}|day|${day(at)}`, month: `${t}|group|${groupId}|month|${month(at)}` };
}

type GroupCap = NonNullable<SpendCaps["groups"]>[number];
const cappedGroups = (caps: SpendCaps): GroupCap[] => (caps.groups ?? []).filter((g) => typeof g.dayUsd === "number" || typeof g.monthUsd === "number");

const hasCaps = (caps: SpendCaps) => [caps.organisation?.dayUsd, caps.organisation?.monthUsd, caps.member?.dayUsd, caps.member?.monthUsd].some((v) => typeof v === "number") || cappedGroups(caps).length > 0;

/** The most a reply can use: its input (estimated from the text, generously) and the most it may answer. */
export function replyCeilingTokens(model: Pick<ModelEntry, "contextWindow">, inputChars: number): { inputTokens: number; outputTokens: number } {
  return { inputTokens: Math.min(Math.ceil(inputChars / 3), model.contextWindow), outputTokens: Math.min(4096, Math.floor(model.contextWindow / 4)) };
}

export interface Reservation {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  /** The groups the author was in: their counters get the cost too. */
  readonly groupIds?: readonly string[];
  readonly micros: number;
  readonly at: Date;
}

/**
 * Checks the organisation's caps for this person and reserves `ceilingUsd` for the reply, or
 * refuses (before any model is called). Undefined when the organisation has no caps.
 */
export async function reserveSpend(connection: Connection, owner: { tenantId: string; userId: string; organisationName?: string }, ceiling: number | (() => Promise<number>), now: Date = new Date()): Promise<Reservation | undefined> {
  const caps = await getSpendCaps(connection, owner.tenantId);
  // Prepaid credits (billing/credits.ts): an organisation on credits is refused once they are used up.
  const credits = await prepaidBalance(connection, owner.tenantId);
  if (credits !== null && credits <= 0) {
    throw new ForbiddenError(`${owner.organisationName ?? "The organisation"}'s prepaid credits are used up ($${(credits / 1e6).toFixed(2)} left). An owner or admin can buy more under Billing.`, "credits.exhausted");
  }
  if (!hasCaps(caps) && credits === null) return undefined;
  // (Priced only when there are caps or credits to check.)
  const ceilingUsd = typeof ceiling === "number" ? ceiling : await ceiling();
  const keys = counterKeys(owner.tenantId, owner.userId, now);
  const tenantId = owner.tenantId.toLowerCase();
  // The groups the author is in, read only while some group has a cap; and the caps of theirs.
  const groupCaps = cappedGroups(caps);
  const groupIds = groupCaps.length ? [...(await groupIdsOf(connection, tenantId, owner.userId, { cached: true }))] : [];
  const mine = groupCaps.filter((g) => groupIds.includes(g.groupId)).map((cap) => ({ cap, keys: groupCounterKeys(tenantId, cap.groupId, now) }));
  const counterIds = [...Object.values(keys), ...mine.flatMap((g) => [g.keys.day, g.keys.month])];
  const fast = await reserveWithRoom(connection, caps, credits !== null, keys, mine, counterIds, { tenantId, userId: owner.userId, groupIds, micros: micros(ceilingUsd), at: now });
  if (fast) return fast;
  return withLease(
    connection,
    `spend:${tenantId}`,
    async () => {
      // By _id and by tenant: equality reads, which every engine answers from its index.
      const [spent, inFlight] = await Promise.all([readCounters(connection, counterIds), reservations(connection).find({ tenantId }).toArray()]);
      const spentOf = (key: string) => spent.find((c) => c._id === key)?.spentMicros ?? 0;
      const live = inFlight.filter((r) => now.getTime() - r.at.getTime() < RESERVATION_TTL_MS);
      const reservedDay = (mine: boolean) => live.filter((r) => (!mine || r.userId === owner.userId) && day(r.at) === day(now)).reduce((n, r) => n + r.micros, 0);
      const reservedMonth = (mine: boolean) => live.filter((r) => (!mine || r.userId === owner.userId) && month(r.at) === month(now)).reduce((n, r) => n + r.micros, 0);
      const reservedGroup = (groupId: string, period: (at: Date) => string) => live.filter((r) => r.groupIds?.includes(groupId) && period(r.at) === period(now)).reduce((n, r) => n + r.micros, 0);
      const checks: Array<[number | null | undefined, number, string]> = [
        [caps.organisation?.dayUsd, spentOf(keys.orgDay) + reservedDay(false), "the organisation's daily cap"],
        [caps.organisation?.monthUsd, spentOf(keys.orgMonth) + reservedMonth(false), "the organisation's monthly cap"],
        [caps.member?.dayUsd, spentOf(keys.memberDay) + reservedDay(true), "your daily cap"],
        [caps.member?.monthUsd, spentOf(keys.memberMonth) + reservedMonth(true), "your monthly cap"],
        // A group's name is read only for a refusal (below): `group:<id>:day|month` until then.
        ...mine.flatMap(({ cap, keys: g }): Array<[number | null | undefined, number, string]> => [
          [cap.dayUsd, spentOf(g.day) + reservedGroup(cap.groupId, day), `group:${cap.groupId}:day`],
          [cap.monthUsd, spentOf(g.month) + reservedGroup(cap.groupId, month), `group:${cap.groupId}:month`],
        ]),
      ];
      // Prepaid credits, read afresh under the lease: what is left less the replies in flight.
      if (credits !== null) {
        const left = ((await prepaidBalance(connection, tenantId, { fresh: true })) ?? 0) - live.reduce((n, r) => n + r.micros, 0);
        if (left <= 0) {
          throw new ForbiddenError(`${owner.organisationName ?? "The organisation"}'s prepaid credits are used up, counting the replies being written. An owner or admin can buy more under Billing.`, "credits.exhausted");
        }
      }
      for (const [limit, used, label] of checks) {
        if (typeof limit === "number" && used >= micros(limit)) {
          const group = /^group:([0-9a-f]{24}):(day|month)$/.exec(label);
          const name = group ? `the group "${(await groupNames(connection, tenantId).catch(() => new Map<string, string>())).get(group[1]!) ?? group[1]}"'s ${group[2] === "day" ? "daily" : "monthly"} cap` : label;
          throw new ForbiddenError(
            `This reply would go over ${name} of $${limit.toFixed(2)} ($${(used / 1e6).toFixed(2)} used). An owner or admin of ${owner.organisationName ?? "the organisation"} can raise it under Spend caps.`,
            "spend.cap_reached",
          );
        }
      }
      const reservation: ReservationDoc = { _id: randomUUID(), tenantId, userId: owner.userId, groupIds, micros: micros(ceilingUsd), at: now };
      await reservations(connection).insertOne(reservation);
      return { id: reservation._id, tenantId, userId: owner.userId, groupIds, micros: reservation.micros, at: now };
    },
    { waitMs: 10_000, what: "This organisation's spending" },
  );
}

/**
 * The fast path, without the lease (three round trips instead of six): the reservation is written
 * first, then every reservation in flight and then the counters are read, and the reply passes only if
 * its whole reservation fits under every cap beside everything in flight. Otherwise the reservation
 * is withdrawn and the caller takes the lease (near a cap, where every reply is decided in turn).
 *
 * Why this cannot overspend by more than one reply: a fast reply reads after it writes, so of two
 * fast replies the later reader sees the earlier; a reply under the lease reads before it writes,
 * and only one holds the lease at a time. Take the reply that read last: it saw every other reply
 * that passed except at most one under the lease, and a fast reply that passed fitted entirely
 * beside what it saw (a reply under the lease passes only if what it saw is under the cap).
 */
async function reserveWithRoom(
  connection: Connection,
  caps: SpendCaps,
  onCredits: boolean,
  keys: ReturnType<typeof counterKeys>,
  groups: ReadonlyArray<{ cap: GroupCap; keys: ReturnType<typeof groupCounterKeys> }>,
  counterIds: readonly string[],
  reservation: Omit<ReservationDoc, "_id">,
): Promise<Reservation | undefined> {
  const doc: ReservationDoc = { _id: randomUUID(), ...reservation };
  await reservations(connection).insertOne(doc);
  let fits = false;
  try {
    // The reservations before the counters: a settlement adds to the counters before it removes its
    // reservation, so a reply settled between the two reads is counted at least once, never missed.
    const inFlight = await reservations(connection).find({ tenantId: doc.tenantId }).toArray();
    const [spent, credits] = await Promise.all([
      readCounters(connection, counterIds),
      onCredits ? prepaidBalance(connection, doc.tenantId, { fresh: true }) : Promise.resolve(null),
    ]);
    const spentOf = (key: string) => spent.find((c) => c._id === key)?.spentMicros ?? 0;
    const others = inFlight.filter((r) => r._id !== doc._id && doc.at.getTime() - r.at.getTime() < RESERVATION_TTL_MS);
    const reserved = (mine: boolean, period: (at: Date) => string) =>
      others.filter((r) => (!mine || r.userId === doc.userId) && period(r.at) === period(doc.at)).reduce((n, r) => n + r.micros, 0);
    const room: Array<[number | null | undefined, number]> = [
      [caps.organisation?.dayUsd, spentOf(keys.orgDay) + reserved(false, day)],
      [caps.organisation?.monthUsd, spentOf(keys.orgMonth) + reserved(false, month)],
      [caps.member?.dayUsd, spentOf(keys.memberDay) + reserved(true, day)],
      [caps.member?.monthUsd, spentOf(keys.memberMonth) + reserved(true, month)],
      ...groups.flatMap(({ cap, keys: g }): Array<[number | null | undefined, number]> => {
        const inGroup = (period: (at: Date) => string) => others.filter((r) => r.groupIds?.includes(cap.groupId) && period(r.at) === period(doc.at)).reduce((n, r) => n + r.micros, 0);
        return [
          [cap.dayUsd, spentOf(g.day) + inGroup(day)],
          [cap.monthUsd, spentOf(g.month) + inGroup(month)],
        ];
      }),
    ];
    fits = room.every(([limit, used]) => typeof limit !== "number" || used + doc.micros <= micros(limit));
    if (onCredits) fits &&= (credits ?? 0) - others.reduce((n, r) => n + r.micros, 0) - doc.micros >= 0;
  } finally {
    // (A reservation whose removal fails counts until the sweeper removes it: refusing more, never less.)
    if (!fits) await reservations(connection).deleteOne({ _id: doc._id }).catch(() => undefined);
  }
  return fits ? { id: doc._id, tenantId: doc.tenantId, userId: doc.userId, groupIds: doc.groupIds ?? [], micros: doc.micros, at: doc.at } : undefined;
}

/** Thresholds of a cap that are mailed about, once each per period. */
export const ALERT_PERCENTS = [50, 80, 100] as const;

export interface SpendAlert {
  readonly tenantId: string;
  readonly cap: "organisation.day" | "organisation.month" | "member.day" | "member.month" | "group.day" | "group.month";
  readonly userId: string;
  /** With a group's cap: the group. */
  readonly groupId?: string;
  readonly percent: number;
  readonly limitUsd: number;
}

/**
 * After the reply: its reservation becomes what it really cost, on the day and month counters.
 * Returns the alert thresholds (50, 80, 100 %) this cost crossed, each claimed once per period.
 */
export async function settleSpend(connection: Connection, reservation: Reservation | undefined, costUsd: number): Promise<SpendAlert[]> {
  if (!reservation) return [];
  const keys = counterKeys(reservation.tenantId, reservation.userId, reservation.at);
  const cost = micros(costUsd);
  const caps = await getSpendCaps(connection, reservation.tenantId);
  // Each group the author was in gets the cost too, and is mailed about like the others.
  const groupKeys = (reservation.groupIds ?? []).map((g) => ({ groupId: g, ...groupCounterKeys(reservation.tenantId, g, reservation.at) }));
  const crossed: Array<{ key: string; cap: SpendAlert["cap"]; percent: number; limitUsd: number; groupId?: string }> = [];
  await withLease(
    connection,
    `spend:${reservation.tenantId}`,
    async () => {
      if (cost > 0) {
        const capOf = new Map((caps.groups ?? []).map((g) => [g.groupId, g]));
        const capped = groupKeys.filter((g) => capOf.has(g.groupId));
        const before = await readCounters(connection, [...Object.values(keys), ...capped.flatMap((g) => [g.day, g.month])]);
        const limits: Array<[string, SpendAlert["cap"], number | null | undefined, string?]> = [
          [keys.orgDay, "organisation.day", caps.organisation?.dayUsd],
          [keys.orgMonth, "organisation.month", caps.organisation?.monthUsd],
          [keys.memberDay, "member.day", caps.member?.dayUsd],
          [keys.memberMonth, "member.month", caps.member?.monthUsd],
          ...capped.flatMap((g): Array<[string, SpendAlert["cap"], number | null | undefined, string]> => [
            [g.day, "group.day", capOf.get(g.groupId)?.dayUsd, g.groupId],
            [g.month, "group.month", capOf.get(g.groupId)?.monthUsd, g.groupId],
          ]),
        ];
        for (const g of groupKeys.filter((g) => !capOf.has(g.groupId))) {
          // Under the lease, like the others (counted even without a cap: a cap set later sees the period's spend).
          await counters(connection).updateOne({ _id: g.day }, { $inc: { spentMicros: cost } }, { upsert: true });
          await counters(connection).updateOne({ _id: g.month }, { $inc: { spentMicros: cost } }, { upsert: true });
        }
        for (const [key, cap, limit, groupId] of limits) {
          // Under the lease: FerretDB v1 applies $inc by reading and writing back, so two at once would lose one.
          await counters(connection).updateOne({ _id: key }, { $inc: { spentMicros: cost } }, { upsert: true });
          if (typeof limit !== "number" || limit <= 0) continue;
          const was = before.find((c) => c._id === key)?.spentMicros ?? 0;
          for (const percent of ALERT_PERCENTS) {
            const mark = (micros(limit) * percent) / 100;
            if (was < mark && was + cost >= mark) crossed.push({ key, cap, percent, limitUsd: limit, ...(groupId ? { groupId } : {}) });
          }
        }
      }
      await reservations(connection).deleteOne({ _id: reservation.id });
    },
    { waitMs: 30_000, what: "This organisation's spending" },
  );
  const alerts: SpendAlert[] = [];
  for (const c of crossed) {
    // Once per cap, period and threshold, whatever recount or retry comes.
    if (await claimOnce(connection, "spend_alert_uses", `${c.key}|${c.percent}`)) alerts.push({ tenantId: reservation.tenantId, cap: c.cap, userId: reservation.userId, percent: c.percent, limitUsd: c.limitUsd, ...(c.groupId ? { groupId: c.groupId } : {}) });
  }
  return alerts;
}

/** A reservation older than this belongs to a reply that died: it no longer counts, and the sweeper removes it. */
export const RESERVATION_TTL_MS = 15 * 60_000;

/** The sweeper's part: removes dead reservations. */
export async function releaseStaleReservations(connection: Connection, now: Date = new Date()): Promise<number> {
  return (await reservations(connection).deleteMany({ at: { $lt: new Date(now.getTime() - RESERVATION_TTL_MS) } })).deletedCount;
}

/** What an organisation has spent today and this month, and its caps (for its admins' page). */
export async function spendSummary(connection: Connection, tenantId: string, userId: string, now: Date = new Date()) {
  const keys = counterKeys(tenantId, userId, now);
  // Without caps the counters are not kept up: counted from the usage when asked.
  if (!hasCaps(await getSpendCaps(connection, tenantId))) await recountTenant(connection, tenantId.toLowerCase(), now);
  const caps = await getSpendCaps(connection, tenantId);
  // The groups with caps that still exist, with their names, and whether the caller is in them.
  const [names, yours] = caps.groups?.length ? await Promise.all([groupNames(connection, tenantId), groupIdsOf(connection, tenantId, userId)]) : [new Map<string, string>(), []];
  const groups = cappedGroups(caps).filter((g) => names.has(g.groupId));
  const groupKeys = groups.map((g) => groupCounterKeys(tenantId, g.groupId, now));
  const spent = await readCounters(connection, [...Object.values(keys), ...groupKeys.flatMap((g) => [g.day, g.month])]);
  const usd = (key: string) => (spent.find((c) => c._id === key)?.spentMicros ?? 0) / 1e6;
  return {
    caps: { ...caps, ...(caps.groups ? { groups: caps.groups.filter((g) => names.has(g.groupId)) } : {}) },
    spent: {
      organisation: { dayUsd: usd(keys.orgDay), monthUsd: usd(keys.orgMonth) },
      you: { dayUsd: usd(keys.memberDay), monthUsd: usd(keys.memberMonth) },
      groups: groups.map((g, i) => ({ groupId: g.groupId, name: names.get(g.groupId)!, yours: yours.includes(g.groupId), dayUsd: usd(groupKeys[i]!.day), monthUsd: usd(groupKeys[i]!.month) })),
    },
  };
}

/** A deleted group's caps leave the organisation's caps. */
export async function dropGroupFromSpendCaps(connection: Connection, tenantId: string, groupId: string): Promise<void> {
  const caps = await getSpendCaps(connection, tenantId);
  if (!caps.groups?.some((g) => g.groupId === groupId)) return;
  await upsertRacing(() => capsCollection(connection).replaceOne({ _id: tenantId.toLowerCase() }, { caps: { ...caps, groups: caps.groups!.filter((g) => g.groupId !== groupId) }, updatedAt: new Date() }, { upsert: true }));
  known.forget(tenantId.toLowerCase());
}
