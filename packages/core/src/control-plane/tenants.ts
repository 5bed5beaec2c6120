import type { Connection } from "mongoose";
import { z } from "zod";
import { NotFoundError, parseInput } from "../errors/index.js";
import { tenantModel, type TenantDocument } from "../tenants/model.js";
import { getTier } from "../tiers/index.js";

/**
 * Organisations as the control plane shows them: SBT-AWS's tenant record (tenantId, tenantName,
 * tenantStatus, isActive) beside Tandem's own fields. Lists page by a cursor (SBT's `limit` and
 * `start_key`, answered with `next_start_key`) in id order, so a page is stable while tenants are added.
 */
export interface ControlPlaneTenant {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly slug: string;
  readonly email: string | null;
  readonly tier: string;
  /** SBT's statuses: In progress, created, Deleting, deleted, failed. */
  readonly tenantStatus: string;
  /** Tandem's own status (provisioning, active, suspended, failed, offboarding, offboarded). */
  readonly status: string;
  /** Whether its people can sign in (SBT's isActive). */
  readonly isActive: boolean;
  readonly failure: { reason: string; during: string } | null;
  readonly transitions: ReadonlyArray<{ from: string | null; to: string; at: string; actor: string; cause: string }>;
  readonly createdAt: string;
}

const STATUS: Record<string, string> = { provisioning: "In progress", active: "created", suspended: "created", failed: "failed", offboarding: "Deleting", offboarded: "deleted" };

type Stored = Omit<TenantDocument, "transitions" | "failure"> & { _id: unknown; createdAt?: Date; transitions?: unknown[]; failure?: unknown };

export function toControlPlaneTenant(doc: Stored): ControlPlaneTenant {
  return {
    tenantId: String(doc._id),
    tenantName: doc.name,
    slug: doc.slug,
    email: (doc.email as string | null | undefined) ?? null,
    tier: (doc.tier as string | undefined) ?? "basic",
    tenantStatus: STATUS[doc.status] ?? doc.status,
    status: doc.status,
    isActive: doc.status === "active",
    failure: (doc.failure as ControlPlaneTenant["failure"] | undefined) ?? null,
    transitions: ((doc.transitions ?? []) as Array<{ from: string | null; to: string; at: Date; actor: string; cause: string }>).map((t) => ({ from: t.from ?? null, to: t.to, at: new Date(t.at).toISOString(), actor: t.actor, cause: t.cause })),
    createdAt: (doc.createdAt ?? new Date(0)).toISOString(),
  };
}
const toTenant = toControlPlaneTenant;

export const TenantListQuery = z.object({
  limit: z.coerce.number().int("Use a whole number").min(1, "Ask for 1 to 100 tenants").max(100, "Ask for 1 to 100 tenants").default(10),
  start_key: z.string().regex(/^[0-9a-f]{24}$/i, "Pass the next_start_key of the previous page as it was").optional(),
});

/** Every tenant, a page at a time (operators and clients with tenant/tenant_read only: it crosses tenants). */
export async function listControlPlaneTenants(connection: Connection, query: unknown): Promise<{ data: ControlPlaneTenant[]; next_start_key?: string }> {
  const { limit, start_key } = parseInput(TenantListQuery, query ?? {}, "page");
  const docs = await tenantModel(connection)
    .find(start_key ? { _id: { $gt: start_key } } : {})
    .sort({ _id: 1 })
    .limit(limit + 1)
    .lean();
  const page = docs.slice(0, limit).map(toTenant);
  return docs.length > limit ? { data: page, next_start_key: page.at(-1)!.tenantId } : { data: page };
}

export async function getControlPlaneTenant(connection: Connection, tenantId: string): Promise<{ data: ControlPlaneTenant }> {
  const missing = () => new NotFoundError(`There is no tenant ${tenantId.slice(0, 40)}. List the tenants to find its id.`, "control_plane.tenant_not_found");
  if (!/^[0-9a-f]{24}$/i.test(tenantId)) throw missing();
  const doc = await tenantModel(connection).findById(tenantId).lean();
  if (!doc) throw missing();
  return { data: toTenant(doc) };
}

export const TenantConfigQuery = z
  .object({
    tenantId: z.string().regex(/^[0-9a-f]{24}$/i, "Use a tenant's id").optional(),
    tenantName: z.string().trim().min(1).max(100).optional(),
  })
  .refine((q) => q.tenantId || q.tenantName, { message: "Ask by tenantId or by tenantName (its handle or its name)" });

/**
 * SBT's GET /tenant-config: what an application needs to serve one tenant — who it is, whether its
 * people can sign in, its tier and that tier's limits. By id, or by name (the handle first, then
 * the display name). SBT leaves this route open; Tandem asks for tenant/tenant_read like the others.
 */
export async function getTenantConfig(connection: Connection, query: unknown): Promise<Record<string, unknown>> {
  const { tenantId, tenantName } = parseInput(TenantConfigQuery, query ?? {}, "question");
  const tenants = tenantModel(connection);
  const doc = tenantId ? await tenants.findById(tenantId).lean() : ((await tenants.findOne({ slug: tenantName!.toLowerCase() }).lean()) ?? (await tenants.findOne({ name: tenantName! }).lean()));
  if (!doc) throw new NotFoundError(`No tenant details found for ${(tenantId ?? tenantName)!.slice(0, 100)}. List the tenants to find it.`, "control_plane.tenant_not_found");
  const tenant = toControlPlaneTenant(doc);
  const tier = await getTier(connection, tenant.tier);
  return { tenantId: tenant.tenantId, tenantName: tenant.tenantName, slug: tenant.slug, tier: tenant.tier, limits: tier.limits, tenantStatus: tenant.tenantStatus, isActive: tenant.isActive };
}
