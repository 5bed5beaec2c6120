import { AsyncLocalStorage } from "node:async_hooks";
import { DomainError } from "../errors/index.js";

/**
 * Who a piece of work runs for: one tenant (the normal case, set per request) or the system
 * (jobs and the control plane, which cross tenants on purpose and say so with runAsSystem).
 */
type Scope = { readonly kind: "tenant"; readonly tenantId: string } | { readonly kind: "system"; readonly reason: string };

const storage = new AsyncLocalStorage<Scope>();

/** A query on tenant-owned data without a tenant: refused rather than run across tenants. */
export class TenantScopeError extends DomainError {
  override readonly name = "TenantScopeError";
  constructor(message: string) {
    super("tenancy.unscoped", "internal", message);
  }
}

/**
 * Runs work for one tenant. The result is awaited inside the context: mongoose queries are lazy,
 * and a query returned unawaited would otherwise run outside it (and be refused).
 */
export async function withTenant<T>(tenantId: string, work: () => T | PromiseLike<T>): Promise<T> {
  if (!/^[0-9a-f]{24}$/i.test(tenantId)) throw new TenantScopeError(`"${tenantId}" is not a tenant id.`);
  return storage.run({ kind: "tenant", tenantId }, async () => await work());
}

/** The only way across tenants; the reason is kept for logs and reviews. */
export async function runAsSystem<T>(reason: string, work: () => T | PromiseLike<T>): Promise<T> {
  return storage.run({ kind: "system", reason }, async () => await work());
}

export function currentScope(): Scope | undefined {
  return storage.getStore();
}

export function currentTenantId(): string | undefined {
  const scope = storage.getStore();
  return scope?.kind === "tenant" ? scope.tenantId : undefined;
}
