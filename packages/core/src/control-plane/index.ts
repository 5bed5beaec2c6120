export { CONTROL_PLANE_SCOPES, ControlPlaneScope, parseScopes } from "./scopes.js";
export { createOperator, isOperator, OPERATOR_LINK_TTL_MS } from "./operators.js";
export {
  controlPlaneClientModel,
  createControlPlaneClient,
  listControlPlaneClients,
  revokeControlPlaneClient,
  issueControlPlaneToken,
  verifyControlPlaneToken,
  OAuthError,
  ClientInput,
  CONTROL_PLANE_TOKEN_SECONDS,
  type ControlPlaneClient,
} from "./clients.js";
export { listControlPlaneTenants, getControlPlaneTenant, TenantListQuery, type ControlPlaneTenant } from "./tenants.js";
