export { userModel, type UserDocument, type UserModel } from "./model.js";
export { hashPassword, verifyPassword, needsRehash, Password } from "./password.js";
export { issueToken, consumeToken, revokeTokens, oneTimeTokenModel, TOKEN_PURPOSES, type TokenPurpose } from "./tokens.js";
export {
  signUp,
  signIn,
  verifyEmail,
  requestPasswordReset,
  requestVerification,
  resetPassword,
  getAccount,
  renameAccount,
  setCurrentTenant,
  changePassword,
  requestEmailChange,
  confirmEmailChange,
  toAccount,
  Email,
  SignUpInput,
  SignInInput,
  ChangePasswordInput,
  ChangeEmailInput,
  VERIFY_EMAIL_TTL_MS,
  RESET_PASSWORD_TTL_MS,
  CHANGE_EMAIL_TTL_MS,
  type Account,
} from "./accounts.js";
export {
  startSession,
  rotateRefreshToken,
  endSession,
  isSessionActive,
  peekRefreshToken,
  endAllSessions,
  signAccessToken,
  verifyAccessToken,
  refreshTokenModel,
  ACCESS_TOKEN_TTL_SECONDS,
  REFRESH_TOKEN_TTL_MS,
  REFRESH_REUSE_GRACE_MS,
  type SessionTokens,
  type AccessClaims,
} from "./sessions.js";
export { assertLoginAllowed, reserveLoginAttempt, type LoginReservation, recordLoginFailure, clearLoginFailures, loginFailureModel, LOGIN_WINDOW_MS, ACCOUNT_FAILURE_LIMIT, ADDRESS_FAILURE_LIMIT } from "./throttle.js";
export { signInWithProvider, linkedProviders, identityModel, PROVIDERS, PROVIDER_LABELS, ExternalProfile, type Provider } from "./external.js";
export {
  createApiKey,
  listApiKeys,
  revokeApiKey,
  revokeApiKeysOf,
  authenticateApiKey,
  looksLikeApiKey,
  apiKeyModel,
  ApiKeyInput,
  API_KEY_SCOPES,
  type ApiKey,
  type ApiKeyScope,
  type ApiKeyPrincipal,
} from "./api-keys.js";
