import { z } from "zod";
import { Account, Theme } from "./accounts.js";
import { Organisation } from "./organisations.js";
import { CurrentPassword, Email, ObjectIdString, Password, PersonName } from "./text.js";

export { SignInRequest } from "./accounts.js";

export const Provider = z.object({
  id: z.enum(["google", "github", "okta"]),
  label: z.string(),
  startUrl: z.string().describe("Open in the browser to sign in with this provider"),
});
export const ProvidersResponse = z.object({ password: z.literal(true), providers: z.array(Provider) });
export type ProvidersResponse = z.infer<typeof ProvidersResponse>;

export const MeResponse = z.object({
  account: Account,
  organisations: z.array(Organisation),
  linkedProviders: z.array(z.string()),
  authenticatedWith: z.enum(["cookie", "bearer", "api_key"]),
  defaultTheme: Theme.describe("The operator's DEFAULT_THEME: the theme of a user who has not chosen one"),
});
export type MeResponse = z.infer<typeof MeResponse>;

export const UpdateMeRequest = z.object({
  name: PersonName.optional(),
  currentOrganisationId: ObjectIdString.nullable().optional().describe("Switch organisation; you must be a member"),
  theme: Theme.nullable().optional().describe("light, dark or system; null goes back to the operator's DEFAULT_THEME"),
});
export type UpdateMeRequest = z.infer<typeof UpdateMeRequest>;
export const ChangePasswordRequest = z.object({ currentPassword: CurrentPassword, newPassword: Password });
export const ChangeEmailRequest = z.object({ email: Email, password: CurrentPassword });

export const ViewerConfig = z.object({ pdfExpressKey: z.string().nullable().describe("PDFJS_EXPRESS_VIEWER_KEY, when the operator set one") });
export type ViewerConfig = z.infer<typeof ViewerConfig>;
