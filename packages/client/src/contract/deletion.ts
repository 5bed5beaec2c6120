import { z } from "zod";
import { ObjectIdString } from "./text.js";

/** Deleting an organisation (owners) and one's own account: what goes, confirmed by typing. */
export const OrganisationDeletionPreview = z.object({
  members: z.number().int().nonnegative(),
  notebooks: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
  images: z.number().int().nonnegative(),
  accessEnds: z.literal("at once"),
  removedAfter: z.string().describe("When its data and files are removed for good (the offboarding grace period)"),
});
export const DeleteOrganisationRequest = z.object({ confirm: z.string().max(100).describe("The organisation's handle, typed to confirm") });

const OrganisationRef = z.object({ id: ObjectIdString, name: z.string() });
export const AccountDeletionPreview = z.object({
  notebooks: z.number().int().nonnegative().describe("Your notebooks in organisations that stay, deleted with what they hold"),
  organisationsDeleted: z.array(OrganisationRef).describe("Organisations where you are the only member: deleted with your account"),
  blockedBy: z.array(OrganisationRef).describe("Organisations where you are the last owner: make someone else an owner first"),
});
export const DeleteAccountRequest = z.object({
  confirm: z.string().max(254).describe("Your email address, typed to confirm"),
  password: z.string().max(1024).optional().describe("Your password, when the account has one"),
});
export const AccountDeletedResponse = AccountDeletionPreview.extend({ notebooksLeftForHousekeeping: z.number().int().nonnegative() });
