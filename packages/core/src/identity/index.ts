export { userModel, type UserDocument, type UserModel } from "./model.js";
export { hashPassword, verifyPassword, needsRehash, Password } from "./password.js";
export { issueToken, consumeToken, oneTimeTokenModel, TOKEN_PURPOSES, type TokenPurpose } from "./tokens.js";
export {
  signUp,
  signIn,
  verifyEmail,
  requestPasswordReset,
  resetPassword,
  SignUpInput,
  SignInInput,
  VERIFY_EMAIL_TTL_MS,
  RESET_PASSWORD_TTL_MS,
  type Account,
} from "./accounts.js";
export {
  startSession,
  rotateRefreshToken,
  endSession,
  endAllSessions,
  signAccessToken,
  verifyAccessToken,
  refreshTokenModel,
  ACCESS_TOKEN_TTL_SECONDS,
  REFRESH_TOKEN_TTL_MS,
  type SessionTokens,
  type AccessClaims,
} from "./sessions.js";
