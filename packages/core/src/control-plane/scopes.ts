import { z } from "zod";

/**
 * The control plane's OAuth scopes: SBT-AWS's four for tenants and users, so its scripts and
 * application-plane components work with a token of ours, and Tandem's own for meters, usage and
 * billing. A client is given some of them; each route demands one.
 */
export const CONTROL_PLANE_SCOPES = [
  "tenant/tenant_read",
  "tenant/tenant_write",
  "user/user_read",
  "user/user_write",
  "tandem/meters",
  "tandem/usage",
  "tandem/billing",
  "tandem/audit",
] as const;
export type ControlPlaneScope = (typeof CONTROL_PLANE_SCOPES)[number];
export const ControlPlaneScope = z.enum(CONTROL_PLANE_SCOPES);

/** A space-separated scope string (OAuth 2.0, RFC 6749 section 3.3) as a list, unknown scopes refused. */
export function parseScopes(value: string): ControlPlaneScope[] | undefined {
  const scopes = value.split(" ").filter(Boolean);
  return scopes.every((s) => ControlPlaneScope.safeParse(s).success) ? [...new Set(scopes as ControlPlaneScope[])] : undefined;
}
