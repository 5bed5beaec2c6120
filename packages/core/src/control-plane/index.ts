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
export { listControlPlaneTenants, getControlPlaneTenant, toControlPlaneTenant, TenantListQuery, type ControlPlaneTenant } from "./tenants.js";
export { EVENT_SOURCES, DETAIL_TYPES, outboxEvent, eventBridgePublisher, type EventPublisher, type OutboxEvent, type DetailType } from "./events.js";
export {
  TRANSITIONS,
  fromStatuses,
  registerTenant,
  transitionTenant,
  updateTenantRecord,
  activateTenant,
  deactivateTenant,
  offboardTenant,
  publishOutbox,
  sweepOutboxes,
  retryTenant,
  RegistrationInput,
  TenantUpdateInput,
  type Actor,
} from "./lifecycle.js";
export { ControlPlaneEvent, provisionTenant, provisionFailed, recordAnswer, markHandled, SYSTEM_INVITER, type Provisioned } from "./planes.js";
export { removeTenantData, offboardDueTenants, tenantDataModels, OFFBOARD_GRACE_MS } from "./offboarding.js";
