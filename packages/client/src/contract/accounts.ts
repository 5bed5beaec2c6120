import { z } from "zod";
import { CurrentPassword, Email, ObjectIdString, Password, PersonName } from "./text.js";

export const Account = z.object({
  id: ObjectIdString,
  email: z.string().email(),
  name: z.string(),
  emailVerified: z.boolean(),
  hasPassword: z.boolean().describe("false for accounts made through Google, GitHub or Okta without a password"),
  currentOrganisationId: ObjectIdString.nullable().describe("The organisation the user last switched to"),
  theme: z.enum(["light", "dark", "system"]).nullable().describe("The theme the user chose; null until they choose (defaultTheme of GET /api/me applies)"),
});
export type Account = z.infer<typeof Account>;
export const Theme = z.enum(["light", "dark", "system"]);
export type Theme = z.infer<typeof Theme>;

export const SignUpRequest = z.object({
  email: Email.describe("Unicode NFC, trimmed and lower-cased before it is stored or compared"),
  name: PersonName,
  password: Password.describe("10-256 characters"),
});
export type SignUpRequest = z.infer<typeof SignUpRequest>;

export const SignUpResponse = z.object({
  account: Account,
  verificationMailSent: z.boolean().describe("false when the mail could not be sent; ask for a new one later"),
});
export type SignUpResponse = z.infer<typeof SignUpResponse>;

/** The token of a mailed link (verification, reset, new address, invitation). */
export const Token = z.string().min(1, "Open the link from the mail; it carries its token").max(200, "This link is not valid: open it from the mail again");
export const TokenRequest = z.object({ token: Token });
export const EmailRequest = z.object({ email: Email });
export const PasswordResetRequest = EmailRequest;
export const PasswordResetConfirmRequest = z.object({ token: Token, password: Password });
/** Signing in: the password is checked, not judged, so any length a password could have had. */
export const SignInRequest = z.object({ email: Email, password: CurrentPassword });
export type SignInRequest = z.infer<typeof SignInRequest>;
export const AccountResponse = z.object({ account: Account });
export type AccountResponse = z.infer<typeof AccountResponse>;
export const AcceptedResponse = z.object({ status: z.string() });
export type AcceptedResponse = z.infer<typeof AcceptedResponse>;
