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

/** A meter (packages/core/src/metering/meters.ts: Meter); Tandem's own are built in and fixed. */
export interface Meter {
  meterId: string;
  meterApiName: string;
  displayName: string;
  description: string;
  unit: string;
  aggregation: Aggregation;
  builtIn: boolean;
  createdAt: string;
}

export const AGGREGATIONS = ["sum", "count", "max"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export interface MeterInput {
  meterApiName: string;
  displayName: string;
  description?: string;
  unit?: string;
  aggregation?: Aggregation;
}

/** A meter's aggregate over a time range (GET /usage/{meterId}), grouped by day (YYYY-MM-DD, UTC) or tenant if asked. */
export interface UsageAnswer {
  meterId?: string;
  meterApiName: string;
  aggregation: Aggregation;
  value: number;
  events: number;
  groups: Array<{ key: string; value: number; events: number }>;
}

/** The price table's units: USD per 1,000 tokens, images per image. */
export const PRICE_UNITS = [
  { id: "input_tokens", label: "Input", per: "1,000 tokens" },
  { id: "output_tokens", label: "Output", per: "1,000 tokens" },
  { id: "cache_read_tokens", label: "Cache read", per: "1,000 tokens" },
  { id: "cache_write_tokens", label: "Cache write", per: "1,000 tokens" },
  { id: "images", label: "Images", per: "image" },
  { id: "embedding_tokens", label: "Embedding", per: "1,000 tokens" },
] as const;
export type PriceUnit = (typeof PRICE_UNITS)[number]["id"];
export type ModelPrices = Partial<Record<PriceUnit, number>>;

/** A version of the price table (never edited; each in force from effectiveFrom until the next). */
export interface PriceVersion {
  version: number;
  effectiveFrom: string;
  note: string;
  prices: Record<string, ModelPrices>;
  createdAt: string;
}

/** One tenant, model and day of the reconciliation: raw counts, cost recorded and recomputed. */
export interface ReconciliationRow {
  tenantId: string;
  modelId: string;
  day: string;
  events: number;
  inputTokens: number;
  outputTokens: number;
  images: number;
  recordedUsd: number;
  recomputedUsd: number;
  differenceUsd: number;
  priceVersions: number[];
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
  meters: () => api<{ data: Meter[] }>(`${CONTROL_PLANE}/meters`).then((r) => r.data),
  createMeter: (body: MeterInput) => api<{ data: Meter }>(`${CONTROL_PLANE}/meters`, { body }).then((r) => r.data),
  updateMeter: (meterId: string, body: Omit<MeterInput, "meterApiName">) => api<{ data: Meter }>(`${CONTROL_PLANE}/meters/${encodeURIComponent(meterId)}`, { method: "PUT", body }).then((r) => r.data),
  deleteMeter: (meterId: string) => api(`${CONTROL_PLANE}/meters/${encodeURIComponent(meterId)}`, { method: "DELETE" }),
  usage: (meterId: string, q: { startTimeInSeconds: number; endTimeInSeconds: number; groupBy?: "day" | "tenant"; tenantId?: string }) =>
    api<{ data: UsageAnswer }>(`${CONTROL_PLANE}/usage/${encodeURIComponent(meterId)}${query(q)}`).then((r) => r.data),
  prices: () => api<{ data: PriceVersion[] }>(`${CONTROL_PLANE}/prices`).then((r) => r.data),
  addPrices: (body: { effectiveFrom?: string; note?: string; prices: Record<string, ModelPrices> }) => api<{ data: PriceVersion }>(`${CONTROL_PLANE}/prices`, { body }).then((r) => r.data),
  reconciliation: (q: { from: string; to: string; tenantId?: string }) => api<{ data: ReconciliationRow[] }>(`${CONTROL_PLANE}/reconciliation${query(q)}`).then((r) => r.data),
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
/** A UTC calendar day (YYYY-MM-DD, as usage is grouped) for people: "3 Mar 2026". */
export const utcDay = (key: string) => new Date(`${key}T00:00:00Z`).toLocaleDateString("en-GB", { dateStyle: "medium", timeZone: "UTC" });
/** An amount in US dollars, to the millionth where it has one. */
export const usd = (n: number) => n.toLocaleString("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 6 });
/** A count or an aggregate (exact to the millionth, as the API sums). */
export const amount = (n: number) => n.toLocaleString("en-GB", { maximumFractionDigits: 6 });

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
