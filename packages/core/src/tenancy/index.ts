export { withTenant, runAsSystem, currentTenantId, currentScope, TenantScopeError } from "./context.js";
export { tenantScoped } from "./plugin.js";
