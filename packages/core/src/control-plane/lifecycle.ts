import { createHash } from "node:crypto";
import { Types, type Connection } from "mongoose";
import { z } from "zod";
import { actorFromLifecycle, recordAudit } from "../audit/index.js";
import { isDuplicateKeyError } from "../database/index.js";
import { ConflictError, NotFoundError, parseInput } from "../errors/index.js";
import { forgetTenant, withTenantRecord } from "../tenants/organisations.js";
import { tenantModel, type TENANT_STATUSES } from "../tenants/model.js";
import { DETAIL_TYPES, outboxEvent, type EventPublisher, type OutboxEvent } from "./events.js";
import { toControlPlaneTenant, type ControlPlaneTenant } from "./tenants.js";

type Status = (typeof TENANT_STATUSES)[number];

/**
 * The tenant lifecycle as an explicit state machine: a status moves only along these edges, in
 * one conditional write that also records the move (time, actor, cause) and the events it causes
 * (the outbox), so no crash can leave a move without its record or its events. Events are then
 * published and removed from the outbox; what a crash leaves there is published by the sweeper.
 */
export const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  provisioning: ["active", "failed"],
  active: ["suspended", "offboarding"],
  suspended: ["active", "offboarding"],
  // A retry resumes the phase that failed (failure.during); an operator may also offboard it.
  failed: ["provisioning", "offboarding"],
  offboarding: ["offboarded", "failed"],
  offboarded: [],
};

/** The statuses from which `to` may be reached. */
export const fromStatuses = (to: Status): Status[] => (Object.keys(TRANSITIONS) as Status[]).filter((from) => TRANSITIONS[from].includes(to));

export interface Actor {
  /** "operator:<userId>", "client:<clientId>", "application-plane", "system". */
  readonly actor: string;
  readonly cause: string;
}

export const RegistrationInput = z.object({
  tenantName: z.string().trim().min(1, "Name the tenant").max(100, "Use at most 100 characters for the name"),
  email: z.string().trim().toLowerCase().email("Give the email of the tenant's first owner").max(254),
  tier: z.string().trim().min(1).max(40).default("basic"),
  // SBT's tutorial sends it; the control plane decides the status itself.
  tenantStatus: z.string().max(40).optional(),
});

/** The fields a PUT may change (SBT writes any field it is given; Tandem only these). */
export const TenantUpdateInput = z
  .object({
    tenantName: z.string().trim().min(1).max(100).optional(),
    tier: z.string().trim().min(1).max(40).optional(),
    email: z.string().trim().toLowerCase().email().max(254).optional(),
  })
  .strict();

function slugOf(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return base.length >= 3 ? base : `tenant-${base}`.replace(/-+$/, "");
}

/** The tenant id an Idempotency-Key names: the same key from the same caller always means the same tenant. */
export function idFor(caller: string, key: string): Types.ObjectId {
  return new Types.ObjectId(createHash("sha256").update(`${caller}\n${key}`).digest().subarray(0, 12));
}

/**
 * Registers a tenant (SBT's POST /tenants): the organisation is created in `provisioning` (no one
 * can use it yet) with its onboarding request in the outbox, in one write; the application plane
 * provisions it and answers. With an Idempotency-Key, a repeat returns the tenant the first made.
 */
export async function registerTenant(
  connection: Connection,
  input: unknown,
  by: Actor & {
    idempotency?: { caller: string; key: string };
    /** A fixed id (a registration's tenant): a repeat with it returns the tenant it made. */
    tenantId?: Types.ObjectId;
    /** More for the onboarding event's detail (a registration's id and data). */
    detail?: Record<string, unknown>;
  },
  publisher?: EventPublisher,
  now: Date = new Date(),
): Promise<{ tenant: ControlPlaneTenant; replayed: boolean }> {
  const data = parseInput(RegistrationInput, input, "tenant's details");
  const tenants = tenantModel(connection);
  const fixed = by.tenantId ?? (by.idempotency ? idFor(by.idempotency.caller, by.idempotency.key) : undefined);
  const _id = fixed ?? new Types.ObjectId();
  const existing = fixed ? await tenants.findById(_id).lean() : null;
  if (existing) return { tenant: replayOf(existing, data), replayed: true };
  const detail = { ...by.detail, tenantId: String(_id), tenantName: data.tenantName, email: data.email, tier: data.tier };
  for (let attempt = 0; ; attempt++) {
    const slug = attempt === 0 ? slugOf(data.tenantName) : `${slugOf(data.tenantName).slice(0, 33)}-${randomSuffix()}`;
    try {
      const doc = await tenants.create({
        _id,
        slug,
        name: data.tenantName,
        status: "provisioning",
        tier: data.tier,
        email: data.email,
        requestHash: fixed ? requestHash(data) : null,
        transitions: [{ from: null, to: "provisioning", at: now, actor: by.actor, cause: by.cause }],
        outbox: [outboxEvent(DETAIL_TYPES.onboardingRequest, detail, now)],
      });
      await recordAudit(connection, { tenantId: String(_id), actor: actorFromLifecycle(by.actor), action: "tenant.transition", target: { type: "tenant", id: String(_id) }, outcome: "success", details: { from: "none", to: "provisioning", cause: by.cause } });
      await publishOutbox(connection, String(_id), publisher);
      return { tenant: toControlPlaneTenant(doc.toObject()), replayed: false };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // The same Idempotency-Key at the same moment: the other request made it.
      const raced = fixed ? await tenants.findById(_id).lean() : null;
      if (raced) return { tenant: replayOf(raced, data), replayed: true };
      // Otherwise the handle was taken: another one, a few times.
      if (attempt >= 4) throw new ConflictError("No free handle could be found for this tenant name. Try a more distinctive name.", "control_plane.slug_taken");
    }
  }
}

/** The tenant a repeated Idempotency-Key made, if the request is the same one; refused if it is not. */
function replayOf(doc: Parameters<typeof toControlPlaneTenant>[0] & { requestHash?: string | null }, data: z.infer<typeof RegistrationInput>): ControlPlaneTenant {
  if (doc.requestHash && doc.requestHash !== requestHash(data)) {
    throw new ConflictError("This Idempotency-Key was used for a different tenant. Use a new key for a new request.", "idempotency.key_reused");
  }
  return toControlPlaneTenant(doc);
}

const requestHash = (data: z.infer<typeof RegistrationInput>) => createHash("sha256").update(JSON.stringify([data.tenantName, data.email, data.tier])).digest("hex");

const randomSuffix = () => Math.random().toString(36).slice(2, 8);

/**
 * Moves a tenant to `to` if its status allows it, recording the move and its events in the same
 * write; then publishes them. Refused (409) when the tenant is in a status that cannot move there.
 */
export async function transitionTenant(
  connection: Connection,
  tenantId: string,
  to: Status,
  by: Actor,
  events: (tenant: ControlPlaneTenant) => OutboxEvent[],
  publisher?: EventPublisher,
  extra: Record<string, unknown> = {},
  now: Date = new Date(),
  /** Only from this status (an answer belongs to the phase it answers). */
  onlyFrom?: Status,
): Promise<ControlPlaneTenant> {
  await tenantOf(connection, tenantId);
  // Under the tenant's lease: the read, the check and the write are one step for every writer of the document.
  const moved = await withTenantRecord(connection, tenantId, async () => {
    const current = await tenantOf(connection, tenantId);
    const from = current.status as Status;
    if (!TRANSITIONS[from].includes(to) || (onlyFrom && from !== onlyFrom)) {
      throw new ConflictError(`The tenant is ${from}; it cannot become ${to}. ${hint(from)}`, "control_plane.transition_refused");
    }
    const { modifiedCount } = await tenantModel(connection).updateOne(
      { _id: tenantId, status: from },
      { $set: { status: to, ...extra }, $push: { transitions: { from, to, at: now, actor: by.actor, cause: by.cause }, outbox: { $each: events(toControlPlaneTenant(current)) } } },
    );
    return modifiedCount > 0;
  });
  // Another request moved it first: say where it is now.
  if (!moved) return transitionTenant(connection, tenantId, to, by, events, publisher, extra, now, onlyFrom);
  await recordAudit(connection, { tenantId: tenantId.toLowerCase(), actor: actorFromLifecycle(by.actor), action: "tenant.transition", target: { type: "tenant", id: tenantId.toLowerCase() }, outcome: "success", details: { to, cause: by.cause } });
  forgetTenant(tenantId);
  await publishOutbox(connection, tenantId, publisher);
  return toControlPlaneTenant(await tenantOf(connection, tenantId));
}

function hint(from: Status): string {
  if (from === "offboarded") return "It was removed; register it again to bring it back.";
  if (from === "provisioning") return "Wait until it is provisioned (or failed).";
  if (from === "offboarding") return "It is being removed.";
  return "See /control-plane/tenants/{id} for its status.";
}

async function tenantOf(connection: Connection, tenantId: string) {
  const missing = () => new NotFoundError(`There is no tenant ${String(tenantId).slice(0, 40)}. List the tenants to find its id.`, "control_plane.tenant_not_found");
  if (!/^[0-9a-f]{24}$/i.test(tenantId)) throw missing();
  const doc = await tenantModel(connection).findById(tenantId).lean();
  if (!doc) throw missing();
  return doc;
}

/** SBT's PUT /tenants/{id}, with an allow-list of fields. */
export async function updateTenantRecord(connection: Connection, tenantId: string, input: unknown): Promise<ControlPlaneTenant> {
  const data = parseInput(TenantUpdateInput, input ?? {}, "tenant's details");
  await tenantOf(connection, tenantId);
  const set: Record<string, unknown> = {};
  if (data.tenantName !== undefined) set.name = data.tenantName;
  if (data.tier !== undefined) set.tier = data.tier;
  if (data.email !== undefined) set.email = data.email;
  if (Object.keys(set).length) await withTenantRecord(connection, tenantId, () => tenantModel(connection).updateOne({ _id: tenantId }, { $set: set }));
  forgetTenant(tenantId);
  return toControlPlaneTenant(await tenantOf(connection, tenantId));
}

/** Deactivates at once (no one of the tenant signs in from the next request) and tells the application plane. */
export const deactivateTenant = (connection: Connection, tenantId: string, by: Actor, publisher?: EventPublisher) =>
  transitionTenant(connection, tenantId, "suspended", by, (t) => [outboxEvent(DETAIL_TYPES.deactivateRequest, { tenantId: t.tenantId })], publisher);

export const activateTenant = (connection: Connection, tenantId: string, by: Actor, publisher?: EventPublisher) =>
  transitionTenant(connection, tenantId, "active", by, (t) => [outboxEvent(DETAIL_TYPES.activateRequest, { tenantId: t.tenantId })], publisher);

/** SBT's DELETE /tenants/{id}: offboarding starts (sign-in ends at once); the application plane removes the data. */
export const offboardTenant = (connection: Connection, tenantId: string, by: Actor, publisher?: EventPublisher) =>
  transitionTenant(connection, tenantId, "offboarding", by, (t) => [outboxEvent(DETAIL_TYPES.offboardingRequest, { ...t })], publisher);

/**
 * Publishes a tenant's outbox and removes what EventBridge accepted. A crash after publishing and
 * before removing publishes again later: consumers act once per `eventId`.
 */
export async function publishOutbox(connection: Connection, tenantId: string, publisher?: EventPublisher): Promise<number> {
  if (!publisher) return 0;
  const doc = await tenantModel(connection).findById(tenantId).select({ outbox: 1 }).lean();
  const pending = (doc?.outbox ?? []) as OutboxEvent[];
  if (pending.length === 0) return 0;
  let accepted: string[];
  try {
    accepted = await publisher.publish(pending.map((e) => ({ ...e, at: new Date(e.at) })));
  } catch {
    // The bus did not answer: the events stay in the outbox for the sweeper.
    return 0;
  }
  // The elements exactly as stored: FerretDB v1's $pull matches whole elements only, not conditions on their fields.
  const done = pending.filter((e) => accepted.includes(e.id));
  if (done.length) await withTenantRecord(connection, tenantId, () => tenantModel(connection).collection.updateOne({ _id: new Types.ObjectId(tenantId) }, { $pullAll: { outbox: done } } as never));
  return accepted.length;
}

/** The sweeper (hourly housekeeping, and after a restart): publishes what moves left unpublished. */
export async function sweepOutboxes(connection: Connection, publisher: EventPublisher | undefined, olderThanMs = 60_000, now: Date = new Date()): Promise<number> {
  if (!publisher) return 0;
  const waiting = await tenantModel(connection).find({ "outbox.0": { $exists: true } }).select({ outbox: 1 }).lean();
  let published = 0;
  for (const doc of waiting) {
    const due = ((doc.outbox ?? []) as OutboxEvent[]).some((e) => now.getTime() - new Date(e.at).getTime() >= olderThanMs);
    if (due) published += await publishOutbox(connection, String(doc._id), publisher);
  }
  return published;
}

/**
 * Retries a failed tenant: back to the phase that failed (provisioning, or offboarding), with its
 * request sent again. Refused unless it failed.
 */
export async function retryTenant(connection: Connection, tenantId: string, by: Actor, publisher?: EventPublisher): Promise<ControlPlaneTenant> {
  const current = await tenantOf(connection, tenantId);
  if (current.status !== "failed") throw new ConflictError(`The tenant is ${current.status}; only a failed tenant is retried.`, "control_plane.transition_refused");
  const during = (current.failure as { during?: string } | null)?.during === "offboarding" ? "offboarding" : "provisioning";
  return transitionTenant(
    connection,
    tenantId,
    during,
    by,
    (t) => [outboxEvent(during === "provisioning" ? DETAIL_TYPES.onboardingRequest : DETAIL_TYPES.offboardingRequest, { tenantId: t.tenantId, tenantName: t.tenantName, email: t.email, tier: t.tier })],
    publisher,
    { failure: null },
  );
}
