import { recordAudit, SYSTEM_CHAIN, type AuditActor, type AuditInput } from "@tandem/core/audit";
import { isDatabaseUnavailable } from "@tandem/core/database";
import { isDomainError, RateLimitedError } from "@tandem/core/errors";
import { listOrganisations } from "@tandem/core/tenants";
import type { Request, RequestHandler } from "express";
import type { AppDeps } from "../deps.js";
import { clientAddress } from "./client-address.js";

/**
 * The API's side of the audit log (packages/core/src/audit): entries carry the client's address
 * as client-address.ts establishes it (never X-Forwarded-For; `trust proxy` is off), and are
 * recorded with recordAudit, which never fails the request it describes.
 */
export type RequestAudit = Omit<AuditInput, "address" | "outcome"> & { readonly outcome?: AuditInput["outcome"] };

/** Records one entry for this request, with its client address. Never throws. */
export function audit(deps: AppDeps, req: Request, entry: RequestAudit): Promise<void> {
  return recordAudit(deps.database(), { outcome: "success", ...entry, address: clientAddress(req, deps.proxyKey) }, req.log);
}

/** Who is calling, as the audit log names them: the person, or their API key. */
export function actorOf(req: Request): AuditActor {
  const auth = req.auth;
  if (!auth) return { kind: "user", id: "anonymous" };
  return auth.apiKey ? { kind: "api_key", id: auth.apiKey.keyId } : { kind: "user", id: auth.userId };
}

/** A refusal (role, scope, sign-in, too many tries) is "denied"; anything else that went wrong is "failure". */
export function outcomeOf(error: unknown): "failure" | "denied" {
  if (error instanceof RateLimitedError) return "denied";
  return isDomainError(error) && (error.kind === "forbidden" || error.kind === "unauthenticated") ? "denied" : "failure";
}

export const errorCode = (error: unknown) => (isDomainError(error) ? error.code : "internal");

/**
 * Runs an action and records it: success with `more(result)` in the details, or the failure with
 * its error code (then rethrows). `entry` may name the target only once the action is done.
 */
export async function audited<T>(deps: AppDeps, req: Request, entry: RequestAudit, action: () => Promise<T>, more?: (result: T) => Partial<RequestAudit>): Promise<T> {
  const viaKey = req.auth?.apiKey ? { userId: req.auth.userId } : {};
  let result: T;
  try {
    result = await action();
  } catch (error) {
    // With the database away there is nowhere to record it, and trying would only delay the 503.
    if (!isDatabaseUnavailable(error)) await audit(deps, req, { ...entry, outcome: outcomeOf(error), details: { ...viaKey, ...entry.details, error: errorCode(error) } });
    throw error;
  }
  const extra = more?.(result) ?? {};
  await audit(deps, req, { ...entry, ...extra, outcome: "success", details: { ...viaKey, ...entry.details, ...extra.details } });
  return result;
}

/** At most this many organisations' chains get a person's sign-in. */
const SIGN_IN_CHAINS = 20;

/**
 * A successful sign-in, recorded in the chain of each organisation the person belongs to (so
 * their admins see it), or in the system chain for someone in none (operators among them).
 */
export async function auditSignIn(deps: AppDeps, req: Request, account: { id: string; email: string }, method: string): Promise<void> {
  let chains: string[] = [SYSTEM_CHAIN];
  try {
    const organisations = await listOrganisations(await deps.database(), account.id);
    if (organisations.length) chains = organisations.slice(0, SIGN_IN_CHAINS).map((o) => o.id);
  } catch (error) {
    req.log.warn({ err: error }, "audit: could not read the organisations of a sign-in; recorded in the system chain");
  }
  for (const tenantId of chains) {
    await audit(deps, req, { tenantId, actor: { kind: "user", id: account.id, email: account.email }, action: "auth.sign_in", target: { type: "user", id: account.id }, details: { method } });
  }
}

/** A sign-in that did not succeed, in the system chain: who it claimed to be (never the password), how, and why not. */
export async function auditSignInFailure(deps: AppDeps, req: Request, details: { email?: string; method: string; error?: unknown; reason?: string }): Promise<void> {
  // With the database away there is nowhere to record it, and trying would only delay the 503.
  if (isDatabaseUnavailable(details.error)) return;
  const reason = details.reason ?? errorCode(details.error);
  return audit(deps, req, {
    tenantId: SYSTEM_CHAIN,
    actor: { kind: "user", id: "unknown", ...(details.email ? { email: details.email } : {}) },
    action: "auth.sign_in_failed",
    outcome: details.error instanceof RateLimitedError ? "denied" : "failure",
    details: { method: details.method, reason },
  });
}

const CONTROL_PLANE = "/control-plane";
const TOKEN_PATH = `${CONTROL_PLANE}/oauth/token`;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const OBJECT_ID = /^[0-9a-f]{24}$/;

/** The client id of a token request (form field or HTTP Basic), never its secret. */
function tokenClientId(req: Request): string {
  const form = (req.body ?? {}) as Record<string, unknown>;
  if (typeof form.client_id === "string" && form.client_id) return form.client_id.slice(0, 200);
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.get("authorization") ?? "");
  if (basic) {
    const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      try {
        return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")).slice(0, 200);
      } catch {
        return "unreadable";
      }
    }
  }
  return "unknown";
}

function controlPlaneActor(req: Request): AuditActor {
  const caller = req.controlPlane;
  if (caller?.kind === "client") return { kind: "client", id: caller.clientId };
  if (caller?.kind === "operator") return { kind: "operator", id: caller.userId };
  if (req.auth) return { kind: "user", id: req.auth.userId };
  return { kind: "client", id: "anonymous" };
}

/** The tenant a control-plane request is about (its chain), or "system". */
function controlPlaneChain(req: Request, path: string): string {
  const param = (req.params as Record<string, string | undefined> | undefined)?.tenantId;
  const id = (param ?? /^\/control-plane\/tenants\/([^/]+)/i.exec(path)?.[1] ?? "").toLowerCase();
  return OBJECT_ID.test(id) ? id : SYSTEM_CHAIN;
}

/**
 * Records every write to the control plane when its answer is sent: `control_plane.request` with
 * the method, route and status, the operator or client that made it, in the tenant's chain (or
 * "system"). The token endpoint records only refusals (`auth.client_token_failed`, with the client
 * id, never the secret). Mount it at the top of the control plane's router.
 */
export function auditControlPlane(deps: AppDeps): RequestHandler {
  return (req, res, next) => {
    const path = (req.originalUrl || req.url).split("?")[0]!;
    const lower = path.toLowerCase().replace(/\/+$/, "");
    if (SAFE_METHODS.has(req.method) || !(lower === CONTROL_PLANE || lower.startsWith(`${CONTROL_PLANE}/`))) return next();
    res.on("finish", () => {
      const status = res.statusCode;
      const outcome = status < 400 ? "success" : status === 401 || status === 403 ? "denied" : "failure";
      if (lower === TOKEN_PATH) {
        if (status < 400) return;
        void audit(deps, req, { tenantId: SYSTEM_CHAIN, actor: { kind: "client", id: tokenClientId(req) }, action: "auth.client_token_failed", outcome, details: { status } });
        return;
      }
      const route = (req.route as { path?: unknown } | undefined)?.path;
      void audit(deps, req, {
        tenantId: controlPlaneChain(req, path),
        actor: controlPlaneActor(req),
        action: "control_plane.request",
        outcome,
        details: { method: req.method, route: typeof route === "string" ? route : path, status },
      });
    });
    next();
  };
}
