export { withTenant, runAsSystem, currentTenantId, currentScope, TenantScopeError } from "./context.js";
export { tenantScoped } from "./plugin.js";
export { configureAccessCache, clearAccessCache, accessCacheTtlMs, DEFAULT_ACCESS_CACHE_TTL_MS, ACCESS_CACHE_MAX_ENTRIES } from "../access/cache.js";
