import {
  activateTenant,
  deactivateTenant,
  offboardTenant,
  registerTenant,
  retryTenant,
  updateTenantRecord,
  type Actor,
  createControlPlaneClient,
  getControlPlaneTenant,
  isOperator,
  issueControlPlaneToken,
  listControlPlaneClients,
  listControlPlaneTenants,
  OAuthError,
  revokeControlPlaneClient,
  verifyControlPlaneToken,
  type ControlPlaneScope,
  createRegistration,
  getRegistration,
  listRegistrations,
  updateRegistration,
  deleteRegistration,
  createControlPlaneUser,
  getControlPlaneUser,
  listControlPlaneUsers,
  updateControlPlaneUser,
  setControlPlaneUserEnabled,
  deleteControlPlaneUser,
  withIdempotencyKey,
  getTenantConfig,
  listOperators,
  removeOperator,
  createOperator,
  OPERATOR_LINK_TTL_MS,
  listTiers,
  getTier,
  putTier,
} from "@tandem/core/control-plane";
import { issueToken, PROVIDER_LABELS, sessionMethod } from "@tandem/core/identity";
import { accountAddedMail, operatorInviteMail } from "@tandem/core/mail";
import { ForbiddenError, InvalidInputError, UnauthenticatedError } from "@tandem/core/errors";
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { controlPlaneOpenApi } from "../control-plane-openapi.js";
import type { AppDeps } from "../deps.js";
import { methodGuard } from "../http/methods.js";
import { documentedPaths } from "../openapi.js";
import { authenticate, csrfProtection } from "../http/auth.js";
import { auditControlPlane } from "../http/audit.js";
import { auditControlPlaneRoutes } from "./audit.js";
import { meteringControlPlaneRoutes } from "./metering.js";

/**
 * The control plane (SBT-AWS's API under one base path, `<app url>/control-plane/`): what an
 * operator runs the installation with. Nothing here is open. A request is either
 * - a script's bearer token from `POST /control-plane/oauth/token` (client credentials), allowed
 *   what its scopes allow; or
 * - an operator's own browser session (cookies, with the anti-forgery token on writes), allowed
 *   everything. An ordinary member's session or API key is refused.
 * Responses are wrapped as SBT wraps them: `{ data }`, lists with `next_start_key`.
 */
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      controlPlane?: { kind: "client"; clientId: string; scopes: readonly ControlPlaneScope[] } | { kind: "operator"; userId: string };
    }
  }
}

export const CONTROL_PLANE_BASE = "/control-plane";

export function controlPlaneRoutes(deps: AppDeps): Router {
  const router = Router();
  const session = [authenticate(deps), csrfProtection(deps)];
  const appOrigin = new URL(deps.appUrl).origin;
  // Every write under /control-plane is recorded in the audit log when it is answered.
  router.use(auditControlPlane(deps));

  // CORS for the app's own origin only (its admin pages); scripts need none. Any other origin gets
  // no CORS headers, so a browser on another site cannot read an answer or send a preflighted request.
  router.use(CONTROL_PLANE_BASE, (req, res, next) => {
    const origin = req.get("origin");
    if (origin === appOrigin) {
      res.vary("Origin").set({ "access-control-allow-origin": appOrigin, "access-control-allow-credentials": "true" });
      if (req.method === "OPTIONS") {
        res
          .set({ "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE", "access-control-allow-headers": "authorization, content-type, idempotency-key, x-csrf-token", "access-control-max-age": "600" })
          .status(204)
          .end();
        return;
      }
    } else if (req.method === "OPTIONS") {
      res.vary("Origin").status(204).end();
      return;
    }
    next();
  });

  // The control plane's own OpenAPI document (a description, not data: open like /openapi.json),
  // and what it says each path answers: a method a path does not serve is 405 with Allow.
  router.get(`${CONTROL_PLANE_BASE}/openapi.json`, (_req, res) => {
    res.json(controlPlaneOpenApi(deps.version));
  });
  router.use(methodGuard(() => documentedPaths(controlPlaneOpenApi(deps.version))));

  // The token endpoint: OAuth 2.0 answers in its own shape (RFC 6749 section 5), never cached.
  router.post(`${CONTROL_PLANE_BASE}/oauth/token`, express.urlencoded({ extended: false, limit: "10kb" }), async (req, res) => {
    res.set("cache-control", "no-store").set("pragma", "no-cache");
    try {
      const token = await issueControlPlaneToken(await deps.database(), deps.config.jwtSecret, req.body, basicCredentials(req));
      res.json(token);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (error.status === 401) res.set("www-authenticate", 'Basic realm="tandem-control-plane"');
      res.status(error.status).json({ error: error.error, error_description: error.description });
    }
  });

  /** Who may call: a client token with `scope`, or an operator's session. */
  const allow = (scope: ControlPlaneScope): RequestHandler[] => [
    async (req: Request, res: Response, next: NextFunction) => {
      const header = req.get("authorization");
      if (!header) return next();
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new UnauthenticatedError("Send the control plane's token as Authorization: Bearer <token>.", "auth.malformed_header");
      const client = await verifyControlPlaneToken(await deps.database(), deps.config.jwtSecret, match[1]!);
      req.controlPlane = { kind: "client", ...client };
      next();
    },
    async (req, res, next) => {
      if (req.controlPlane) return next();
      // No control-plane token: the caller's own session (cookies), which must be an operator's.
      for (const handler of session) await new Promise<void>((resolve, reject) => void Promise.resolve(handler(req, res, (error?: unknown) => (error ? reject(error) : resolve()))).catch(reject));
      if (!req.auth) throw new UnauthenticatedError("The control plane needs a token from /control-plane/oauth/token, or an operator's sign-in.", "control_plane.unauthenticated");
      if (req.auth.via !== "cookie" || !(await isOperator(await deps.database(), req.auth.userId))) throw new ForbiddenError("Only operators use the control plane. Scripts: use a client's token from /control-plane/oauth/token.", "control_plane.not_operator");
      // OPERATOR_SIGN_IN: an operator's session counts only when it was signed in with that provider.
      const required = deps.config.operatorSignIn;
      if (required && (await sessionMethod(await deps.database(), req.auth.sessionId ?? "")) !== required) {
        throw new ForbiddenError(`Operators sign in with ${PROVIDER_LABELS[required]} on this installation. Sign out, then sign in with ${PROVIDER_LABELS[required]}.`, "control_plane.operator_sign_in_required");
      }
      req.controlPlane = { kind: "operator", userId: req.auth.userId };
      next();
    },
    (req, _res, next) => {
      const caller = req.controlPlane!;
      if (caller.kind === "client" && !caller.scopes.includes(scope)) throw new ForbiddenError(`This token lacks the "${scope}" scope. Ask an operator for a client with it.`, "control_plane.scope_missing");
      next();
    },
  ];
  router.use(auditControlPlaneRoutes(deps, allow));
  router.use(meteringControlPlaneRoutes(deps, allow));
  const operatorOnly: RequestHandler = (req, _res, next) => {
    if (req.controlPlane?.kind !== "operator") throw new ForbiddenError("Only an operator, signed in, manages the control plane's clients.", "control_plane.not_operator");
    next();
  };

  router.get(`${CONTROL_PLANE_BASE}/tenants`, ...allow("tenant/tenant_read"), async (req, res) => {
    res.json(await listControlPlaneTenants(await deps.database(), req.query));
  });
  router.get(`${CONTROL_PLANE_BASE}/tenants/:tenantId`, ...allow("tenant/tenant_read"), async (req, res) => {
    res.json(await getControlPlaneTenant(await deps.database(), String(req.params.tenantId)));
  });

  // SBT's writes, each a move of the tenant's lifecycle (control-plane/lifecycle.ts).
  const actor = (req: Request, cause: string): Actor => {
    const caller = req.controlPlane!;
    return { actor: caller.kind === "client" ? `client:${caller.clientId}` : `operator:${caller.userId}`, cause };
  };
  /** The caller's Idempotency-Key, if any: the same key from the same caller means the same request. */
  const idempotency = (req: Request) => {
    const key = req.get("idempotency-key");
    if (key !== undefined && !/^[\x21-\x7e]{1,255}$/.test(key)) throw new InvalidInputError("Idempotency-Key must be 1 to 255 visible ASCII characters.", [{ name: "Idempotency-Key", message: "invalid" }]);
    return key ? { idempotency: { caller: actor(req, "").actor, key } } : {};
  };
  router.post(`${CONTROL_PLANE_BASE}/tenants`, ...allow("tenant/tenant_write"), async (req, res) => {
    const by = { ...actor(req, "onboarding request"), ...idempotency(req) };
    const { tenant, replayed } = await registerTenant(await deps.database(), req.body, by, deps.events);
    if (replayed) res.set("idempotent-replayed", "true");
    res.status(201).json({ data: tenant });
  });
  router.put(`${CONTROL_PLANE_BASE}/tenants/:tenantId`, ...allow("tenant/tenant_write"), async (req, res) => {
    res.json({ data: await updateTenantRecord(await deps.database(), String(req.params.tenantId), req.body) });
  });
  router.delete(`${CONTROL_PLANE_BASE}/tenants/:tenantId`, ...allow("tenant/tenant_write"), async (req, res) => {
    const tenant = await offboardTenant(await deps.database(), String(req.params.tenantId), actor(req, "offboarding request"), deps.events);
    res.json({ message: "Successfully sent offboarding message to application plane", data: tenant });
  });
  router.put(`${CONTROL_PLANE_BASE}/tenants/:tenantId/deactivate`, ...allow("tenant/tenant_write"), async (req, res) => {
    const tenant = await deactivateTenant(await deps.database(), String(req.params.tenantId), actor(req, "deactivated"), deps.events);
    res.json({ message: "Tenant deactivated", data: tenant });
  });
  router.post(`${CONTROL_PLANE_BASE}/tenants/:tenantId/retry`, ...allow("tenant/tenant_write"), async (req, res) => {
    const tenant = await retryTenant(await deps.database(), String(req.params.tenantId), actor(req, "retry"), deps.events);
    res.json({ message: "Request sent again to the application plane", data: tenant });
  });
  router.put(`${CONTROL_PLANE_BASE}/tenants/:tenantId/activate`, ...allow("tenant/tenant_write"), async (req, res) => {
    const tenant = await activateTenant(await deps.database(), String(req.params.tenantId), actor(req, "activated"), deps.events);
    res.json({ message: "Tenant activated", data: tenant });
  });

  // SBT's tenant registrations: the request for a tenant beside the tenant it makes (control-plane/registrations.ts).
  router.post(`${CONTROL_PLANE_BASE}/tenant-registrations`, ...allow("tenant/tenant_write"), async (req, res) => {
    const { registration, replayed } = await createRegistration(await deps.database(), req.body, { ...actor(req, "tenant registration"), ...idempotency(req) }, deps.events);
    if (replayed) res.set("idempotent-replayed", "true");
    res.status(201).json({ data: { tenantRegistrationId: registration.tenantRegistrationId, tenantId: registration.tenantId, message: "Tenant registration initiated" } });
  });
  router.get(`${CONTROL_PLANE_BASE}/tenant-registrations`, ...allow("tenant/tenant_read"), async (req, res) => {
    res.json(await listRegistrations(await deps.database(), req.query));
  });
  router.get(`${CONTROL_PLANE_BASE}/tenant-registrations/:registrationId`, ...allow("tenant/tenant_read"), async (req, res) => {
    res.json(await getRegistration(await deps.database(), String(req.params.registrationId)));
  });
  router.patch(`${CONTROL_PLANE_BASE}/tenant-registrations/:registrationId`, ...allow("tenant/tenant_write"), async (req, res) => {
    const updated = await updateRegistration(await deps.database(), String(req.params.registrationId), req.body);
    res.json({ data: { ...updated, message: "Tenant registration updated successfully" } });
  });
  router.delete(`${CONTROL_PLANE_BASE}/tenant-registrations/:registrationId`, ...allow("tenant/tenant_write"), async (req, res) => {
    const registration = await deleteRegistration(await deps.database(), String(req.params.registrationId), actor(req, "tenant registration deleted"), deps.events);
    res.json({ data: { message: "Tenant registration deletion initiated", tenantRegistration: registration } });
  });

  // SBT's GET /tenant-config (open in SBT; here it needs tenant/tenant_read like every route).
  router.get(`${CONTROL_PLANE_BASE}/tenant-config`, ...allow("tenant/tenant_read"), async (req, res) => {
    res.json(await getTenantConfig(await deps.database(), req.query));
  });

  // Tiers and their limits (tiers/): read with tenant/tenant_read, changed with tenant/tenant_write.
  router.get(`${CONTROL_PLANE_BASE}/tiers`, ...allow("tenant/tenant_read"), async (_req, res) => {
    res.json({ data: await listTiers(await deps.database()) });
  });
  router.get(`${CONTROL_PLANE_BASE}/tiers/:tierName`, ...allow("tenant/tenant_read"), async (req, res) => {
    res.json({ data: await getTier(await deps.database(), String(req.params.tierName).slice(0, 40)) });
  });
  router.put(`${CONTROL_PLANE_BASE}/tiers/:tierName`, ...allow("tenant/tenant_write"), async (req, res) => {
    res.json({ data: await putTier(await deps.database(), req.params.tierName, req.body) });
  });

  // SBT's user management on Tandem's accounts (control-plane/users.ts); enable / disable routed (SBT issue #115).
  router.post(`${CONTROL_PLANE_BASE}/users`, ...allow("user/user_write"), async (req, res) => {
    const database = await deps.database();
    const key = idempotency(req).idempotency;
    const { result, replayed } = await withIdempotencyKey(database, key && { ...key, operation: "create user" }, req.body, () => addUser(database, req.body));
    if (replayed) res.set("idempotent-replayed", "true");
    res.status(201).json(result);
  });
  /** Adds the person and mails them (a link to choose a password, or a note to sign in). */
  const addUser = async (database: Awaited<ReturnType<AppDeps["database"]>>, input: unknown) => {
    const { user, created, tenantName } = await createControlPlaneUser(database, input, deps.events);
    let url = `${deps.appUrl.replace(/\/$/, "")}/sign-in`;
    // A new account, or one whose address was never confirmed (claimAccount took its password away), chooses a password.
    const needsPassword = created || user.status === "FORCE_CHANGE_PASSWORD";
    if (needsPassword) {
      const token = await issueToken(database, { userId: user.userId, purpose: "reset_password", ttlMs: OPERATOR_LINK_TTL_MS });
      url = `${deps.appUrl.replace(/\/$/, "")}/reset-password?token=${encodeURIComponent(token)}`;
    }
    await deps.mailer.send(accountAddedMail({ to: user.email, organisation: tenantName, role: user.userRole ?? "member", url, expiresInHours: OPERATOR_LINK_TTL_MS / 3_600_000, newAccount: needsPassword }));
    return { message: "New user created", data: user };
  };
  router.get(`${CONTROL_PLANE_BASE}/users`, ...allow("user/user_read"), async (req, res) => {
    res.json(await listControlPlaneUsers(await deps.database(), req.query));
  });
  router.get(`${CONTROL_PLANE_BASE}/users/:userId`, ...allow("user/user_read"), async (req, res) => {
    res.json({ data: await getControlPlaneUser(await deps.database(), String(req.params.userId)) });
  });
  router.put(`${CONTROL_PLANE_BASE}/users/:userId`, ...allow("user/user_write"), async (req, res) => {
    res.json({ message: "User updated", data: await updateControlPlaneUser(await deps.database(), String(req.params.userId), req.body) });
  });
  router.delete(`${CONTROL_PLANE_BASE}/users/:userId`, ...allow("user/user_write"), async (req, res) => {
    await deleteControlPlaneUser(await deps.database(), String(req.params.userId), deps.events);
    res.json({ message: "User deleted" });
  });
  const enable = (enabled: boolean) => async (req: Request, res: Response) => {
    const user = await setControlPlaneUserEnabled(await deps.database(), String(req.params.userId), enabled);
    res.json({ message: enabled ? "User enabled" : "User disabled", data: user });
  };
  router.put(`${CONTROL_PLANE_BASE}/users/:userId/enable`, ...allow("user/user_write"), enable(true));
  router.put(`${CONTROL_PLANE_BASE}/users/:userId/disable`, ...allow("user/user_write"), enable(false));
  // SBT's own shape for disabling.
  router.delete(`${CONTROL_PLANE_BASE}/users/:userId/disable`, ...allow("user/user_write"), enable(false));

  // Operators, managed by operators in their own session.
  router.get(`${CONTROL_PLANE_BASE}/operators`, ...allow("user/user_read"), operatorOnly, async (_req, res) => {
    res.json({ data: await listOperators(await deps.database()) });
  });
  router.post(`${CONTROL_PLANE_BASE}/operators`, ...allow("user/user_write"), operatorOnly, async (req, res) => {
    const { account, created, token } = await createOperator(await deps.database(), (req.body as { email?: unknown } | undefined)?.email as string);
    const url = `${deps.appUrl.replace(/\/$/, "")}/reset-password?token=${encodeURIComponent(token)}`;
    await deps.mailer.send(operatorInviteMail({ to: account.email, url, expiresInHours: OPERATOR_LINK_TTL_MS / 3_600_000 }));
    res.status(201).json({ data: { userId: account.id, email: account.email, name: account.name, created } });
  });
  router.delete(`${CONTROL_PLANE_BASE}/operators/:userId`, ...allow("user/user_write"), operatorOnly, async (req, res) => {
    await removeOperator(await deps.database(), String(req.params.userId));
    res.status(204).end();
  });

  // Client credentials, managed by operators in their own session (a client cannot mint clients).
  router.get(`${CONTROL_PLANE_BASE}/clients`, ...allow("tenant/tenant_write"), operatorOnly, async (_req, res) => {
    res.json({ data: await listControlPlaneClients(await deps.database()) });
  });
  router.post(`${CONTROL_PLANE_BASE}/clients`, ...allow("tenant/tenant_write"), operatorOnly, async (req, res) => {
    const { client, clientSecret } = await createControlPlaneClient(await deps.database(), (req.controlPlane as { userId: string }).userId, req.body);
    res.status(201).set("cache-control", "no-store").json({ data: { ...client, clientSecret } });
  });
  router.delete(`${CONTROL_PLANE_BASE}/clients/:clientId`, ...allow("tenant/tenant_write"), operatorOnly, async (req, res) => {
    await revokeControlPlaneClient(await deps.database(), String(req.params.clientId));
    res.status(204).end();
  });
  return router;
}

/** HTTP Basic client authentication (RFC 6749 section 2.3.1: id and secret form-encoded, then base64). */
function basicCredentials(req: Request): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.get("authorization") ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " ")) };
  } catch {
    return undefined;
  }
}
