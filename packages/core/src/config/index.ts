export {
  SETTINGS,
  SECRET_NAMES,
  VARIABLE_NAMES,
  REQUIRED_SECRETS,
  settingNamed,
  howToSet,
  type Setting,
  type SettingKind,
  type Integration,
} from "./settings.js";
export { loadStageSettings, stageKindOf, stageNameFrom, type StageSettings, type StageKind, type BucketSettings } from "./stage.js";
export { loadRuntimeConfig, loadMailConfig, substituteStage, DEFAULT_AUDIT_RETENTION_DAYS, enabledIntegrations, type RuntimeConfig, type OAuthClient } from "./runtime.js";
export type { Source } from "./parse.js";
export { isLoopbackUrl } from "./loopback.js";
