import { NotFoundError } from "@tandem/core/errors";
import { memberModelPolicy } from "@tandem/core/groups";
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
  /** What its admins allow the caller in notebooks (models, guardrail), with the caller's groups applied (groups/policy.ts). */
  readonly policy: TenantModelPolicy;
  /** The organisation's policy as its admins set it (every group's rule), for the admins' page. */
  readonly organisationPolicy: TenantModelPolicy;
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
    const database = await deps.database();
    const { tenant, role, policy } = await requireMember(database, orgId, auth.userId, needed, { cached: true });
    // Models by group: read (through the access cache) only when the policy names groups.
    const mine = await memberModelPolicy(database, tenant.id, auth.userId, policy);
    req.organisation = { id: tenant.id, slug: tenant.slug, name: tenant.name, role, policy: mine, organisationPolicy: policy };
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
