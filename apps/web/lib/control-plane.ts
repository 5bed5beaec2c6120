"use client";

import { api, ApiProblem } from "./browser-api";

/**
 * The control plane as the admin pages see it (`/control-plane/*`, proxied like /api): an
 * operator's cookie session, with the anti-forgery token on writes (browser-api's `api`).
 * Answers are wrapped as SBT wraps them: `{ data }`, lists with `next_start_key`.
 */
export const CONTROL_PLANE = "/control-plane";

export type TenantStatus = "provisioning" | "active" | "suspended" | "failed" | "offboarding" | "offboarded";

export interface Tenant {
  tenantId: string;
  tenantName: string;
  slug: string;
  email: string | null;
  tier: string;
  /** SBT's: In progress, created, Deleting, deleted, failed. */
  tenantStatus: string;
  status: TenantStatus;
  isActive: boolean;
  failure: { reason: string; during: string } | null;
  transitions: Array<{ from: string | null; to: string; at: string; actor: string; cause: string }>;
  createdAt: string;
}

export interface TenantRegistration {
  tenantRegistrationId: string;
  tenantId: string;
  /** The tenant's SBT status; "In progress" until the tenant exists. */
  registrationStatus: string;
  sbtaws_active?: boolean;
  tenantRegistrationData?: Record<string, string | number | boolean>;
  createdAt: string;
  updatedAt: string;
}

/** An entry of the audit log (@tandem/client's contract: AuditEntry). */
export interface AuditEntry {
  id: string;
  /** Its chain: the organisation's id, or "system". */
  tenantId: string;
  seq: number;
  at: string;
  actor: { kind: string; id: string; email?: string };
  action: string;
  target?: { type: string; id: string };
  address?: string;
  outcome: string;
  details?: Record<string, string | number>;
}

/** A tier and the limits it sets (null: no limit; no models: every chat model). */
export interface Tier {
  name: string;
  limits: { members: number | null; files: number | null; models: string[] };
}

export interface Operator {
  userId: string;
  email: string;
  name: string;
  status: string;
  createdAt: string;
}

/** A client credential (packages/core/src/control-plane/clients.ts: ControlPlaneClient). */
export interface Client {
  clientId: string;
  name: string;
  scopes: string[];
  createdAt: string;
  revoked: boolean;
  lastUsedAt: string | null;
}

/** The scopes a client may be given (packages/core/src/control-plane/scopes.ts; the admin test keeps the two in step). */
export const SCOPES: ReadonlyArray<{ id: string; label: string }> = [
  { id: "tenant/tenant_read", label: "Read tenants" },
  { id: "tenant/tenant_write", label: "Register, change and offboard tenants" },
  { id: "user/user_read", label: "Read tenant users" },
  { id: "user/user_write", label: "Manage tenant users" },
  { id: "tandem/meters", label: "Meters" },
  { id: "tandem/usage", label: "Usage" },
  { id: "tandem/billing", label: "Billing" },
  { id: "tandem/audit", label: "Read the audit log" },
];

export interface Page<T> {
  data: T[];
  next_start_key?: string;
}

/** A query string of the values that are set. */
export function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== "") params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** A route that the API does not have (yet): answered 404 route.not_found. */
export const isMissingRoute = (error: unknown) => error instanceof ApiProblem && error.status === 404 && error.code === "route.not_found";

/** An idempotency key for one attempt at a create (crypto.randomUUID where the page is a secure context). */
export function idempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const tenantPath = (id: string) => `${CONTROL_PLANE}/tenants/${encodeURIComponent(id)}`;

export const controlPlane = {
  tenants: (startKey?: string, limit = 25) => api<Page<Tenant>>(`${CONTROL_PLANE}/tenants${query({ limit, start_key: startKey })}`),
  tenant: (id: string) => api<{ data: Tenant }>(tenantPath(id)).then((r) => r.data),
  registerTenant: (body: { tenantName: string; email: string; tier: string }, key: string) =>
    api<{ data: Tenant }>(`${CONTROL_PLANE}/tenants`, { body, headers: { "idempotency-key": key } }).then((r) => r.data),
  deactivate: (id: string) => api<{ data: Tenant }>(`${tenantPath(id)}/deactivate`, { method: "PUT" }),
  activate: (id: string) => api<{ data: Tenant }>(`${tenantPath(id)}/activate`, { method: "PUT" }),
  offboard: (id: string) => api<{ data: Tenant }>(tenantPath(id), { method: "DELETE" }),
  retry: (id: string) => api<{ data: Tenant }>(`${tenantPath(id)}/retry`, { method: "POST" }),
  registrations: (tenantId: string) => api<{ data: TenantRegistration[] }>(`${CONTROL_PLANE}/tenant-registrations${query({ tenantId })}`).then((r) => r.data),
  audit: (filters: AuditFilters, startKey?: string, limit = 50) => api<Page<AuditEntry>>(`${CONTROL_PLANE}/audit${query({ ...filters, limit, start_key: startKey })}`),
  tiers: () => api<{ data: Tier[] }>(`${CONTROL_PLANE}/tiers`).then((r) => r.data),
  operators: () => api<{ data: Operator[] }>(`${CONTROL_PLANE}/operators`).then((r) => r.data),
  addOperator: (email: string) => api(`${CONTROL_PLANE}/operators`, { body: { email } }),
  removeOperator: (userId: string) => api(`${CONTROL_PLANE}/operators/${encodeURIComponent(userId)}`, { method: "DELETE" }),
  clients: () => api<{ data: Client[] }>(`${CONTROL_PLANE}/clients`).then((r) => r.data),
  createClient: (body: { name: string; scopes: string[] }) => api<{ data: Client & { clientSecret: string } }>(`${CONTROL_PLANE}/clients`, { body }).then((r) => r.data),
  revokeClient: (clientId: string) => api(`${CONTROL_PLANE}/clients/${encodeURIComponent(clientId)}`, { method: "DELETE" }),
};

/** The audit log's filters, as the query string names them (from and to: ISO 8601 times). */
export interface AuditFilters {
  tenantId?: string;
  /** The start of an action's name, e.g. "auth.". */
  action?: string;
  /** An actor's id. */
  actor?: string;
  outcome?: string;
  from?: string;
  to?: string;
}

export const auditExportUrl = (filters: AuditFilters) => `${CONTROL_PLANE}/audit/export${query({ ...filters })}`;

/** Which actions a tenant in this status offers (control-plane/lifecycle.ts: TRANSITIONS). */
export function tenantActions(status: TenantStatus): Array<"deactivate" | "activate" | "offboard" | "retry"> {
  switch (status) {
    case "active":
      return ["deactivate", "offboard"];
    case "suspended":
      return ["activate", "offboard"];
    case "failed":
      return ["retry", "offboard"];
    default:
      return [];
  }
}

/** A date and time for people (en-GB, the app's locale elsewhere). */
export const when = (iso: string) => new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
export const day = (iso: string) => new Date(iso).toLocaleDateString("en-GB", { dateStyle: "medium" });

export type OperatorAccess = { status: "operator" } | { status: "not-operator" } | { status: "signed-out" } | { status: "error"; message: string };

let probe: Promise<OperatorAccess> | undefined;

/**
 * Whether the signed-in person is an operator: /api/me does not say, so one read of the control
 * plane asks (200: operator; 403 control_plane.not_operator: not; 401: not signed in). Asked once
 * per page load and shared by the header and the admin pages; a failure is asked again next time.
 */
export function operatorAccess(): Promise<OperatorAccess> {
  probe ??= controlPlane.tenants(undefined, 1).then(
    (): OperatorAccess => ({ status: "operator" }),
    (error: unknown): OperatorAccess => {
      if (error instanceof ApiProblem && error.status === 401) return { status: "signed-out" };
      if (error instanceof ApiProblem && error.status === 403) return { status: "not-operator" };
      probe = undefined;
      return { status: "error", message: error instanceof Error ? error.message : String(error) };
    },
  );
  return probe;
}
