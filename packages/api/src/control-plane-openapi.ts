import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import {
  ClientInput,
  CONTROL_PLANE_SCOPES,
  RegistrationListQuery,
  RegistrationRequest,
  RegistrationUpdate,
  RegistrationInput,
  TenantConfigQuery,
  TenantListQuery,
  TenantUpdateInput,
  TierLimits,
  UserCreateInput,
  UserListQuery,
  UserUpdateInput,
  type ControlPlaneScope,
} from "@tandem/core/control-plane";
import { OperatorAuditQuery, Problem } from "@tandem/client/contract";
import { CancelQuery, MeterInput, MeterUpdate, PriceVersionInput, ReconciliationQuery, UsageBatch, UsageQuery } from "@tandem/core/metering";
import { z } from "zod";
import "./openapi.js"; // (extends zod with .openapi())

/**
 * The control plane's OpenAPI document (`GET /control-plane/openapi.json`), from the same zod
 * schemas its routes validate with. Each operation names the OAuth scope it needs; an operator's
 * signed-in session may call all of them. Bodies are SBT's: `{ data }`, lists with a cursor.
 */
type Method = "get" | "post" | "put" | "patch" | "delete";
type Row = readonly [
  method: Method,
  path: string,
  summary: string,
  scope: ControlPlaneScope | "operator",
  options?: { body?: z.ZodTypeAny; query?: z.AnyZodObject; status?: number; idempotent?: boolean; successType?: string },
];

const OPERATOR_NOTE = "Operators only, in their signed-in session (a client's token is refused).";

const ROWS: readonly Row[] = [
  ["get", "/control-plane/tenants", "Every tenant, a page at a time (limit, start_key → next_start_key)", "tenant/tenant_read", { query: TenantListQuery }],
  ["post", "/control-plane/tenants", "Register a tenant (SBT's onboarding request); Idempotency-Key makes a repeat return the first", "tenant/tenant_write", { body: RegistrationInput, status: 201, idempotent: true }],
  ["get", "/control-plane/tenants/{tenantId}", "A tenant with its lifecycle transitions", "tenant/tenant_read"],
  ["put", "/control-plane/tenants/{tenantId}", "Change a tenant's name, tier or owner address (only those)", "tenant/tenant_write", { body: TenantUpdateInput }],
  ["delete", "/control-plane/tenants/{tenantId}", "Offboard a tenant: sign-in ends now, data is removed after the grace period", "tenant/tenant_write"],
  ["put", "/control-plane/tenants/{tenantId}/activate", "Activate a deactivated tenant", "tenant/tenant_write"],
  ["put", "/control-plane/tenants/{tenantId}/deactivate", "Deactivate a tenant (no one signs in)", "tenant/tenant_write"],
  ["post", "/control-plane/tenants/{tenantId}/retry", "Retry a failed tenant's provisioning or offboarding", "tenant/tenant_write"],
  ["post", "/control-plane/tenant-registrations", "Register a tenant with registration data (SBT's registration flow)", "tenant/tenant_write", { body: RegistrationRequest, status: 201, idempotent: true }],
  ["get", "/control-plane/tenant-registrations", "Registrations, a page at a time (limit, next_token; tenantId filters)", "tenant/tenant_read", { query: RegistrationListQuery }],
  ["get", "/control-plane/tenant-registrations/{registrationId}", "A registration and its tenant's status", "tenant/tenant_read"],
  ["patch", "/control-plane/tenant-registrations/{registrationId}", "Merge registration data and change the tenant's allowed fields", "tenant/tenant_write", { body: RegistrationUpdate }],
  ["delete", "/control-plane/tenant-registrations/{registrationId}", "Delete a registration: its tenant is offboarded", "tenant/tenant_write"],
  ["get", "/control-plane/tenant-config", "A tenant's configuration by tenantId or tenantName", "tenant/tenant_read", { query: TenantConfigQuery as unknown as z.AnyZodObject }],
  ["get", "/control-plane/tiers", "Tiers and their limits", "tenant/tenant_read"],
  ["get", "/control-plane/tiers/{tierName}", "One tier's limits (a tier never stored has the basic limits)", "tenant/tenant_read"],
  ["put", "/control-plane/tiers/{tierName}", "Set a tier's limits: members, files, models", "tenant/tenant_write", { body: z.object({ limits: TierLimits }) }],
  ["post", "/control-plane/users", "Add a person to a tenant with a role (their account is made if needed; they get a mail)", "user/user_write", { body: UserCreateInput, status: 201, idempotent: true }],
  ["get", "/control-plane/users", "People, a page at a time (tenantId filters)", "user/user_read", { query: UserListQuery }],
  ["get", "/control-plane/users/{userId}", "A person and their tenants", "user/user_read"],
  ["put", "/control-plane/users/{userId}", "Rename a person, or change their role in a tenant", "user/user_write", { body: UserUpdateInput }],
  ["delete", "/control-plane/users/{userId}", "Delete a person's account (not the last owner of a tenant)", "user/user_write"],
  ["put", "/control-plane/users/{userId}/enable", "Enable a disabled person", "user/user_write"],
  ["put", "/control-plane/users/{userId}/disable", "Disable a person: sessions end, API keys stop, sign-in is refused", "user/user_write"],
  ["delete", "/control-plane/users/{userId}/disable", "Disable a person (SBT's form of the same)", "user/user_write"],
  ["get", "/control-plane/operators", "The operators", "operator"],
  ["post", "/control-plane/operators", "Make an address an operator (mails a set-password link)", "operator", { body: z.object({ email: z.string().email() }), status: 201 }],
  ["delete", "/control-plane/operators/{userId}", "Take the operator role away (not from the last operator)", "operator", { status: 204 }],
  ["get", "/control-plane/clients", "Client credentials", "operator"],
  ["post", "/control-plane/clients", "Create a client; its secret is shown once", "operator", { body: ClientInput, status: 201 }],
  ["delete", "/control-plane/clients/{clientId}", "Revoke a client; its tokens stop at once", "operator", { status: 204 }],
  ["post", "/control-plane/meters", "Create a meter (SBT's IMetering)", "tandem/meters", { body: MeterInput, status: 201 }],
  ["get", "/control-plane/meters", "Every meter, Tandem's own first", "tandem/meters"],
  ["get", "/control-plane/meters/{meterId}", "A meter", "tandem/meters"],
  ["put", "/control-plane/meters/{meterId}", "Change a meter's display name, description, unit or aggregation (not Tandem's own)", "tandem/meters", { body: MeterUpdate }],
  ["delete", "/control-plane/meters/{meterId}", "Remove a meter (not Tandem's own); its usage stays", "tandem/meters", { status: 204 }],
  ["post", "/control-plane/usage", "Ingest usage events (at most 500; each counted once by its idempotencyKey)", "tandem/usage", { body: UsageBatch }],
  ["get", "/control-plane/usage/{meterId}", "A meter's usage over a time range (startTimeInSeconds, endTimeInSeconds; tenantId; groupBy tenant or day)", "tandem/usage", { query: UsageQuery as unknown as z.AnyZodObject }],
  ["delete", "/control-plane/usage", "Cancel events ingested in a time range (of a meter, a tenant): they no longer count", "tandem/usage", { query: CancelQuery as unknown as z.AnyZodObject }],
  ["get", "/control-plane/prices", "The price table's versions, oldest first (USD per 1,000 tokens, per image)", "tandem/billing"],
  ["post", "/control-plane/prices", "Add a price version, in force from effectiveFrom (now by default; never in the past)", "tandem/billing", { body: PriceVersionInput, status: 201 }],
  ["get", "/control-plane/reconciliation", "Per tenant, model and day: raw counts, cost recorded, cost recomputed with the version in force, and the difference", "tandem/billing", { query: ReconciliationQuery as unknown as z.AnyZodObject }],
  ["get", "/control-plane/audit", "The audit log across tenants, newest first (tenantId, action, actor, outcome, from, to; start_key → next_start_key)", "tandem/audit", { query: OperatorAuditQuery }],
  ["get", "/control-plane/audit/export", "The audit log as JSON lines (the same filters, every matching entry)", "tandem/audit", { query: OperatorAuditQuery.omit({ cursor: true, limit: true, start_key: true }), successType: "application/x-ndjson" }],
];

const STATUSES: Record<number, string> = {
  400: "Invalid input; `issues` names each field",
  401: "No token (or an expired, revoked or forged one), and no operator's session",
  403: "The token lacks the operation's scope, the session is not an operator's, or the anti-forgery token is missing",
  404: "No such tenant, registration, user, tier or client",
  409: "Not possible in the current state (a lifecycle move, the last owner or operator, a reused Idempotency-Key, a tier's limit); `detail` says what to do",
  413: "The request body is larger than 1 MB",
  429: "Too many requests; Retry-After says when to try again",
  500: "Unexpected error; the detail carries the request id for support",
  503: "The database is down; try again later",
};

const PARAMETERS: Record<string, z.ZodTypeAny> = {
  tierName: z.string().min(1).max(40).describe("A tier's name"),
  clientId: z.string().min(1).max(100).describe("A client's id, as created"),
};

export function buildControlPlaneOpenApi(version: string): ReturnType<OpenApiGeneratorV31["generateDocument"]> {
  const registry = new OpenAPIRegistry();
  const problem = registry.register("Problem", Problem);
  const problemContent = { content: { "application/problem+json": { schema: problem } } };
  // SBT's shapes: mostly `{ data }`, some `{ message, data }` or the record itself (tenant config).
  const wrapped = z.record(z.string(), z.unknown()).describe("A JSON object, as SBT shapes it: mostly the answer under `data`");
  for (const [method, path, summary, scope, options = {}] of ROWS) {
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const status = options.status ?? 200;
    registry.registerPath({
      method,
      path,
      summary,
      description: scope === "operator" ? OPERATOR_NOTE : `Scope \`${scope}\` (or an operator's session).`,
      tags: [path.split("/")[2]!],
      security: scope === "operator" ? [{ operatorSession: [] }] : [{ clientCredentials: [scope] }, { operatorSession: [] }],
      request: {
        ...(params.length ? { params: z.object(Object.fromEntries(params.map((p) => [p, PARAMETERS[p] ?? z.string().regex(/^[0-9a-f]{24}$/i).describe("24 hexadecimal digits, as the control plane returned it")]))) } : {}),
        ...(options.query ? { query: options.query } : {}),
        ...(options.idempotent ? { headers: z.object({ "idempotency-key": z.string().regex(/^[\x21-\x7e]{1,255}$/).optional().describe("Makes a repeat of the request return what the first made") }) } : {}),
        ...(options.body ? { body: { required: true, content: { "application/json": { schema: options.body } } } } : {}),
      },
      responses: {
        [status]:
          status === 204
            ? { description: "Done" }
            : { description: "Success", content: options.successType ? { [options.successType]: { schema: z.string().describe("One JSON object per line") } } : { "application/json": { schema: wrapped } } },
        ...Object.fromEntries(Object.entries(STATUSES).map(([code, description]) => [code, { description, ...problemContent }])),
      },
    });
  }
  registry.registerComponent("securitySchemes", "clientCredentials", {
    type: "oauth2",
    description: "A client's bearer token from POST /control-plane/oauth/token (client credentials, 15 minutes)",
    flows: { clientCredentials: { tokenUrl: "/control-plane/oauth/token", scopes: Object.fromEntries(CONTROL_PLANE_SCOPES.map((s) => [s, s])) } },
  });
  registry.registerComponent("securitySchemes", "operatorSession", { type: "apiKey", in: "cookie", name: "tandem_access", description: "An operator's browser session; writes also need X-CSRF-Token" });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: { title: "Tandem control plane", version, description: "SBT-AWS's control plane API on Tandem: tenants, registrations, users, tiers, operators and clients." },
  });
}

let cached: { version: string; document: ReturnType<typeof buildControlPlaneOpenApi> } | undefined;
export function controlPlaneOpenApi(version: string): ReturnType<typeof buildControlPlaneOpenApi> {
  if (cached?.version !== version) cached = { version, document: buildControlPlaneOpenApi(version) };
  return cached.document;
}
