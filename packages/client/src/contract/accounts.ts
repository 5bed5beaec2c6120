import { z } from "zod";

export const Account = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  emailVerified: z.boolean(),
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
export const PasswordResetRequest = z.object({ email: z.string() });
export const PasswordResetConfirmRequest = z.object({ token: z.string().min(1).max(200), password: z.string() });
export const AccountResponse = z.object({ account: Account });
export type AccountResponse = z.infer<typeof AccountResponse>;
