export { HealthResponse, DatabaseCheck } from "./health.js";
export { Problem } from "./problem.js";
export { Account, SignUpRequest, SignUpResponse, TokenRequest, PasswordResetRequest, PasswordResetConfirmRequest, AccountResponse } from "./accounts.js";
