import type { Connection } from "mongoose";
import { z } from "zod";
import { NotFoundError, parseInput } from "../errors/index.js";
import { tenantModel, type TenantDocument } from "../tenants/model.js";

/**
 * Organisations as the control plane shows them: SBT-AWS's tenant record (tenantId, tenantName,
 * tenantStatus, isActive) beside Tandem's own fields. Lists page by a cursor (SBT's `limit` and
 * `start_key`, answered with `next_start_key`) in id order, so a page is stable while tenants are added.
 */
export interface ControlPlaneTenant {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly slug: string;
  /** SBT's statuses: created (running), Deleting (offboarding), deleted (offboarded); suspended is Tandem's. */
  readonly tenantStatus: string;
  readonly isActive: boolean;
  readonly createdAt: string;
}

const STATUS: Record<string, string> = { active: "created", suspended: "created", offboarding: "Deleting", offboarded: "deleted" };

function toTenant(doc: TenantDocument & { _id: unknown; createdAt?: Date }): ControlPlaneTenant {
  return { tenantId: String(doc._id), tenantName: doc.name, slug: doc.slug, tenantStatus: STATUS[doc.status] ?? doc.status, isActive: doc.status === "active", createdAt: (doc.createdAt ?? new Date(0)).toISOString() };
}

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
