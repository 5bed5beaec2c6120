import { z } from "zod";

export const Account = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  emailVerified: z.boolean(),
  hasPassword: z.boolean().describe("false for accounts made through Google, GitHub or Okta without a password"),
  currentOrganisationId: z.string().nullable().describe("The organisation the user last switched to"),
});
export type Account = z.infer<typeof Account>;

export const SignUpRequest = z.object({
  email: z.string().describe("Lower-cased before it is stored"),
  name: z.string(),
  password: z.string().describe("At least 10 characters"),
});
export type SignUpRequest = z.infer<typeof SignUpRequest>;

export const SignUpResponse = z.object({
  account: Account,
  verificationMailSent: z.boolean().describe("false when the mail could not be sent; ask for a new one later"),
});
export type SignUpResponse = z.infer<typeof SignUpResponse>;

export const TokenRequest = z.object({ token: z.string().min(1).max(200) });
export const EmailRequest = z.object({ email: z.string() });
export const PasswordResetRequest = EmailRequest;
export const PasswordResetConfirmRequest = z.object({ token: z.string().min(1).max(200), password: z.string() });
export const AccountResponse = z.object({ account: Account });
export type AccountResponse = z.infer<typeof AccountResponse>;
export const AcceptedResponse = z.object({ status: z.string() });
export type AcceptedResponse = z.infer<typeof AcceptedResponse>;
