import { createHash } from "node:crypto";
import { Schema, Types, type Connection, type InferSchemaType, type Model } from "mongoose";
import { z } from "zod";
import { isDuplicateKeyError, withLease } from "../database/index.js";
import { ConflictError, NotFoundError, parseInput } from "../errors/index.js";
import { tenantModel } from "../tenants/model.js";
import type { EventPublisher } from "./events.js";
import { idFor, offboardTenant, registerTenant, RegistrationInput, TenantUpdateInput, updateTenantRecord, type Actor } from "./lifecycle.js";
import { toControlPlaneTenant, type ControlPlaneTenant } from "./tenants.js";

/**
 * SBT-AWS's tenant registrations: the request to have a tenant (its data, who asked, whether it is
 * still wanted) beside the tenant it made. A registration makes its tenant through the same
 * lifecycle as POST /tenants; its status is the tenant's, read when asked, so the two never disagree.
 *
 * The tenant's id is derived from the registration's, so a registration whose tenant a crash left
 * unmade is completed by a repeat of the request (same Idempotency-Key) or by the sweeper, and
 * never makes two.
 */
const registrationSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    // What was asked for the tenant (tenantName, email, tier), kept to complete it after a crash.
    tenantData: { type: Schema.Types.Mixed, required: true },
    // The caller's own fields (SBT's tenantRegistrationData), within the limits below.
    data: { type: Schema.Types.Mixed, default: {} },
    // SBT's sbtaws_active: false once its deletion was asked for.
    active: { type: Boolean, default: true },
    requestHash: { type: String, default: null },
    actor: { type: String, required: true },
  },
  { timestamps: true, collection: "tenant_registrations" },
);
registrationSchema.index({ tenantId: 1 }, { name: "tenant" });

type RegistrationDocument = InferSchemaType<typeof registrationSchema>;
type RegistrationModel = Model<RegistrationDocument>;

export function registrationModel(connection: Connection): RegistrationModel {
  return (connection.models.TenantRegistration as RegistrationModel | undefined) ?? connection.model("TenantRegistration", registrationSchema);
}

const RESERVED = new Set(["tenantRegistrationId", "tenantId", "registrationStatus", "sbtaws_active", "createdAt", "updatedAt"]);

/**
 * A registration's own fields: SBT stores whatever it is sent; Tandem takes up to 20 plain fields
 * (names like `plan_code`, values a string of at most 500 characters, a number or a boolean).
 */
export const RegistrationData = z
  .record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, "Name fields with letters, digits and _ (at most 40, starting with a letter)").refine((k) => !RESERVED.has(k), "This field is set by the control plane"),
    z.union([z.string().max(500, "Keep values to 500 characters"), z.number().finite(), z.boolean()]),
  )
  .refine((r) => Object.keys(r).length <= 20, "Send at most 20 registration fields");

export const RegistrationRequest = z
  .object({
    tenantData: RegistrationInput,
    tenantRegistrationData: RegistrationData.default({}),
  })
  .strict();

export const RegistrationUpdate = z
  .object({
    tenantData: TenantUpdateInput.optional(),
    tenantRegistrationData: RegistrationData.optional(),
  })
  .strict();

export interface TenantRegistration {
  readonly tenantRegistrationId: string;
  readonly tenantId: string;
  /** The tenant's SBT status (In progress, created, Deleting, deleted, failed); "In progress" until it exists. */
  readonly registrationStatus: string;
  readonly sbtaws_active: boolean;
  readonly tenantRegistrationData: Record<string, string | number | boolean>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

type StoredRegistration = RegistrationDocument & { _id: Types.ObjectId; createdAt?: Date; updatedAt?: Date };

function toRegistration(doc: StoredRegistration, tenant: ControlPlaneTenant | undefined): TenantRegistration {
  return {
    tenantRegistrationId: String(doc._id),
    tenantId: String(doc.tenantId),
    registrationStatus: tenant?.tenantStatus ?? "In progress",
    sbtaws_active: doc.active,
    tenantRegistrationData: (doc.data ?? {}) as Record<string, string | number | boolean>,
    createdAt: (doc.createdAt ?? new Date(0)).toISOString(),
    updatedAt: (doc.updatedAt ?? doc.createdAt ?? new Date(0)).toISOString(),
  };
}

/** The tenant a registration makes: derived from the registration, so it is made once. */
export const registrationTenantId = (registrationId: Types.ObjectId | string) => idFor("tenant-registration", String(registrationId));
const tenantIdOf = registrationTenantId;

const hashOf = (request: z.infer<typeof RegistrationRequest>) => createHash("sha256").update(JSON.stringify([request.tenantData, Object.entries(request.tenantRegistrationData).sort()])).digest("hex");

/**
 * SBT's POST /tenant-registrations: records the registration, then registers its tenant (which
 * sends the onboarding request, with the registration's id and fields in its detail).
 */
export async function createRegistration(
  connection: Connection,
  input: unknown,
  by: Actor & { idempotency?: { caller: string; key: string } },
  publisher?: EventPublisher,
): Promise<{ registration: TenantRegistration; replayed: boolean }> {
  const request = parseInput(RegistrationRequest, input, "registration");
  const registrations = registrationModel(connection);
  const _id = by.idempotency ? idFor(by.idempotency.caller, `tenant-registration\n${by.idempotency.key}`) : new Types.ObjectId();
  const requestHash = by.idempotency ? hashOf(request) : null;
  let replayed = false;
  try {
    await registrations.create({ _id, tenantId: tenantIdOf(_id), tenantData: request.tenantData, data: request.tenantRegistrationData, requestHash, actor: by.actor });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const existing = await registrations.findById(_id).lean();
    if (existing?.requestHash && existing.requestHash !== requestHash) {
      throw new ConflictError("This Idempotency-Key was used for a different registration. Use a new key for a new request.", "idempotency.key_reused");
    }
    replayed = true;
  }
  // A repeat completes what a crash may have left: the tenant is made once, under its derived id.
  await completeRegistration(connection, _id, publisher);
  return { registration: (await getRegistration(connection, String(_id))).data, replayed };
}

async function completeRegistration(connection: Connection, registrationId: Types.ObjectId, publisher?: EventPublisher): Promise<void> {
  const doc = await registrationModel(connection).findById(registrationId).lean();
  // A registration deleted before its tenant was made stays without one.
  if (!doc || !doc.active) return;
  await registerTenant(
    connection,
    doc.tenantData,
    { actor: doc.actor, cause: "tenant registration", tenantId: doc.tenantId, detail: { ...(doc.data as object), tenantRegistrationId: String(doc._id) } },
    publisher,
  );
}

/** The sweeper's part: registrations a crash left without their tenant (older than a minute) are completed. */
export async function completeStrandedRegistrations(connection: Connection, publisher?: EventPublisher, now: Date = new Date()): Promise<number> {
  const recent = await registrationModel(connection)
    .find({ active: true, createdAt: { $lte: new Date(now.getTime() - 60_000) } })
    .select({ tenantId: 1 })
    .sort({ _id: -1 })
    .limit(500)
    .lean();
  if (!recent.length) return 0;
  const made = new Set((await tenantModel(connection).find({ _id: { $in: recent.map((r) => r.tenantId) } }).select({ _id: 1 }).lean()).map((t) => String(t._id)));
  let completed = 0;
  for (const r of recent) {
    if (made.has(String(r.tenantId))) continue;
    try {
      await completeRegistration(connection, r._id, publisher);
      completed++;
    } catch {
      // Left for the next run (and for a repeat of the request); the others go on.
    }
  }
  return completed;
}

/**
 * Runs a write of a registration's document under its lease, one after another: FerretDB v1
 * applies an update by reading the document and writing it back whole, so two PATCHes at once
 * lost one's fields (and a PATCH at the moment of a DELETE could make the registration active again).
 */
function withRegistrationRecord<T>(connection: Connection, registrationId: Types.ObjectId, fn: () => Promise<T>): Promise<T> {
  return withLease(connection, `registration:${String(registrationId)}`, fn, { what: "This tenant registration" });
}

const missing = (id: string) => new NotFoundError(`There is no tenant registration ${id.slice(0, 40)}. List /tenant-registrations to find its id.`, "control_plane.registration_not_found");

async function registrationOf(connection: Connection, id: string) {
  if (!/^[0-9a-f]{24}$/i.test(id)) throw missing(id);
  const doc = await registrationModel(connection).findById(id).lean();
  if (!doc) throw missing(id);
  return doc;
}

async function tenantsById(connection: Connection, ids: Types.ObjectId[]): Promise<Map<string, ControlPlaneTenant>> {
  const docs = ids.length ? await tenantModel(connection).find({ _id: { $in: ids } }).lean() : [];
  return new Map(docs.map((d) => [String(d._id), toControlPlaneTenant(d)]));
}

export async function getRegistration(connection: Connection, id: string): Promise<{ data: TenantRegistration }> {
  const doc = await registrationOf(connection, id);
  const tenants = await tenantsById(connection, [doc.tenantId]);
  return { data: toRegistration(doc, tenants.get(String(doc.tenantId))) };
}

export const RegistrationListQuery = z.object({
  limit: z.coerce.number().int("Use a whole number").min(1, "Ask for 1 to 100 registrations").max(100, "Ask for 1 to 100 registrations").default(10),
  // SBT's registrations page with next_token; start_key is accepted too, as for tenants.
  next_token: z.string().regex(/^[0-9a-f]{24}$/i, "Pass the next_token of the previous page as it was").optional(),
  start_key: z.string().regex(/^[0-9a-f]{24}$/i, "Pass the next_token of the previous page as it was").optional(),
  tenantId: z.string().regex(/^[0-9a-f]{24}$/i, "Use a tenant's id").optional(),
});

/** Registrations a page at a time, in id order (SBT scans its table). */
export async function listRegistrations(connection: Connection, query: unknown): Promise<{ data: TenantRegistration[]; next_token?: string }> {
  const { limit, next_token, start_key, tenantId } = parseInput(RegistrationListQuery, query ?? {}, "page");
  const after = next_token ?? start_key;
  const filter: Record<string, unknown> = {};
  if (after) filter._id = { $gt: new Types.ObjectId(after) };
  if (tenantId) filter.tenantId = new Types.ObjectId(tenantId);
  const docs = await registrationModel(connection)
    .find(filter)
    .sort({ _id: 1 })
    .limit(limit + 1)
    .lean();
  const page = docs.slice(0, limit);
  const tenants = await tenantsById(connection, page.map((d) => d.tenantId));
  const data = page.map((d) => toRegistration(d, tenants.get(String(d.tenantId))));
  return docs.length > limit ? { data, next_token: data.at(-1)!.tenantRegistrationId } : { data };
}

/** SBT's PATCH: merges the registration's fields and changes the tenant's (through the tenant's own allow-list). */
export async function updateRegistration(connection: Connection, id: string, input: unknown): Promise<{ tenantRegistration: TenantRegistration; tenant: ControlPlaneTenant | null }> {
  const update = parseInput(RegistrationUpdate, input ?? {}, "registration's changes");
  const doc = await registrationOf(connection, id);
  const fields = update.tenantRegistrationData;
  if (fields && Object.keys(fields).length) {
    await withRegistrationRecord(connection, doc._id, async () => {
      // Read again under the lease: the 20 fields count what another PATCH has just added.
      const current = await registrationOf(connection, id);
      const merged = { ...(current.data as object), ...fields };
      if (Object.keys(merged).length > 20) throw new ConflictError("A registration keeps at most 20 fields. Remove some before adding more.", "control_plane.registration_full");
      const set = Object.fromEntries(Object.entries(fields).map(([k, v]) => [`data.${k}`, v]));
      await registrationModel(connection).updateOne({ _id: doc._id }, { $set: set });
    });
  }
  const tenant = update.tenantData && Object.keys(update.tenantData).length ? await updateTenantRecord(connection, String(doc.tenantId), update.tenantData) : null;
  return { tenantRegistration: (await getRegistration(connection, id)).data, tenant };
}

/**
 * SBT's DELETE: offboards the tenant (sign-in ends at once; data is removed after the grace
 * period) and marks the registration inactive. Asked again, it changes nothing and answers the same.
 */
export async function deleteRegistration(connection: Connection, id: string, by: Actor, publisher?: EventPublisher): Promise<TenantRegistration> {
  const doc = await registrationOf(connection, id);
  const tenant = await tenantModel(connection).findById(doc.tenantId).select({ status: 1 }).lean();
  if (tenant && tenant.status !== "offboarding" && tenant.status !== "offboarded") {
    if (tenant.status === "provisioning") throw new ConflictError("The tenant is still being provisioned. Wait until it is created (or failed), then delete the registration.", "control_plane.transition_refused");
    await offboardTenant(connection, String(doc.tenantId), by, publisher);
  }
  await withRegistrationRecord(connection, doc._id, () => registrationModel(connection).updateOne({ _id: doc._id }, { $set: { active: false } }));
  return (await getRegistration(connection, id)).data;
}
