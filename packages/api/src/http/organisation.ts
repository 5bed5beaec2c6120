import { NotFoundError } from "@tandem/core/errors";
import type { Owner } from "@tandem/core/notebooks";
import { requireMember, type Role, type TenantModelPolicy } from "@tandem/core/tenants";
import { withTenant } from "@tandem/core/tenancy";
import type { RequestHandler } from "express";
import type { AppDeps } from "../deps.js";
import { requireAuth } from "./auth.js";

export interface OrganisationContext {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  /** The caller's role. */
  readonly role: Role;
  /** What its admins allow in notebooks (models, guardrail). */
  readonly policy: TenantModelPolicy;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      organisation?: OrganisationContext;
    }
  }
}

/**
 * Guards /api/orgs/:orgId/...: the caller must be a member (with at least `needed`), checked on
 * every request, through the short-lived access cache (packages/core/src/access/cache.ts): a
 * member removed or demoted through this process loses access at once, through another process
 * within the cache's TTL (ACCESS_CACHE_TTL_MS, 5 s by default). Outsiders get 404, never 403, so
 * organisation ids cannot be probed. The rest of the request runs inside the tenant's scope.
 */
export function organisationAccess(deps: AppDeps, needed: Role = "member"): RequestHandler {
  return async (req, _res, next) => {
    const auth = requireAuth(req);
    const orgId = String(req.params.orgId);
    if (auth.apiKey && auth.apiKey.tenantId !== orgId) {
      throw new NotFoundError("There is no such organisation, or you are not a member of it. This API key works only in its own organisation.", "organisation.not_found");
    }
    const { tenant, role, policy } = await requireMember(await deps.database(), orgId, auth.userId, needed, { cached: true });
    req.organisation = { id: tenant.id, slug: tenant.slug, name: tenant.name, role, policy };
    await withTenant(tenant.id, () => next());
  };
}

export function currentOrganisation(req: Parameters<RequestHandler>[0]): OrganisationContext {
  if (!req.organisation) throw new Error("organisationAccess() must run before this route");
  return req.organisation;
}

/** Whose notebooks a request is about: the caller, in the organisation of the path. */
export function notebookOwner(req: Parameters<RequestHandler>[0]): Owner {
  return { tenantId: currentOrganisation(req).id, userId: requireAuth(req).userId };
}
