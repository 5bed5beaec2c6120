import type { S3Client } from "@aws-sdk/client-s3";
import type { Connection } from "mongoose";
import { z } from "zod";
import { offboardTenant, OFFBOARD_GRACE_MS, type EventPublisher } from "../control-plane/index.js";
import { deleteControlPlaneUser } from "../control-plane/users.js";
import { ConflictError, ForbiddenError, InvalidInputError, parseInput } from "../errors/index.js";
import { generatedImageModel } from "../images/index.js";
import { checkPassword } from "../identity/accounts.js";
import { userModel } from "../identity/model.js";
import { knowledgeFileModel } from "../knowledge/files.js";
import { notebookModel } from "../notebooks/model.js";
import { handOverProjects } from "../projects/handover.js";
import { runAsSystem, withTenant } from "../tenancy/index.js";
import { membershipModel } from "../tenants/membership.js";
import { tenantModel } from "../tenants/model.js";
import { deleteNotebookRecord, finishNotebookDeletions } from "./index.js";

/**
 * An organisation deleted by an owner, and an account deleted by its person. Access ends at once;
 * the data and files go in the background: an organisation's through offboarding (the control
 * plane's grace period, then every document and object under it), an account's notebooks through
 * the pending deletions that housekeeping finishes.
 */

/** What deleting an organisation removes, for the owner to read before confirming. */
export async function organisationDeletionPreview(connection: Connection, tenantId: string, now: Date = new Date()) {
  const counts = await withTenant(tenantId, async () => ({
    members: await membershipModel(connection).countDocuments({}),
    notebooks: await notebookModel(connection).countDocuments({}),
    files: await knowledgeFileModel(connection).countDocuments({}),
    images: await generatedImageModel(connection).countDocuments({}),
  }));
  return { ...counts, accessEnds: "at once", removedAfter: new Date(now.getTime() + OFFBOARD_GRACE_MS) };
}

export const DeleteOrganisationInput = z.object({ confirm: z.string().max(100) });

/** An owner deletes the organisation: confirmed by typing its handle; everyone's access ends at once. */
export async function deleteOrganisation(connection: Connection, tenantId: string, by: { userId: string; role: string }, input: unknown, publisher?: EventPublisher, now: Date = new Date()) {
  if (by.role !== "owner") throw new ForbiddenError("Only an owner can delete the organisation. Ask an owner.", "organisation.role_required");
  const { confirm } = parseInput(DeleteOrganisationInput, input ?? {}, "confirmation");
  const tenant = await tenantModel(connection).findById(tenantId).select({ slug: 1 }).lean();
  if (!tenant || confirm.trim().toLowerCase() !== String(tenant.slug).toLowerCase()) {
    throw new InvalidInputError(`Type the organisation's handle${tenant ? `, ${tenant.slug},` : ""} to confirm.`, [{ name: "confirm", message: "does not match the handle" }], "organisation.confirm_mismatch");
  }
  const preview = await organisationDeletionPreview(connection, tenantId, now);
  await offboardTenant(connection, tenantId, { actor: `user:${by.userId}`, cause: "deleted by an owner" }, publisher);
  return preview;
}

/** What deleting one's account does, and what stands in its way, for the person to read first. */
export async function accountDeletionPreview(connection: Connection, userId: string) {
  const memberships = await runAsSystem("list a person's memberships", () => membershipModel(connection).find({ userId }).lean());
  const organisationsDeleted: Array<{ id: string; name: string }> = [];
  const blockedBy: Array<{ id: string; name: string }> = [];
  let notebooks = 0;
  for (const m of memberships) {
    const tenantId = String(m.tenantId);
    const tenant = await tenantModel(connection).findById(tenantId).select({ name: 1, status: 1 }).lean();
    if (!tenant || tenant.status === "offboarding" || tenant.status === "offboarded") continue;
    const { members, owners } = await withTenant(tenantId, async () => ({ members: await membershipModel(connection).countDocuments({}), owners: await membershipModel(connection).countDocuments({ role: "owner" }) }));
    if (members === 1) organisationsDeleted.push({ id: tenantId, name: tenant.name });
    else if (m.role === "owner" && owners === 1) blockedBy.push({ id: tenantId, name: tenant.name });
    else notebooks += await withTenant(tenantId, () => notebookModel(connection).countDocuments({ userId }));
  }
  return { notebooks, organisationsDeleted, blockedBy };
}

export const DeleteAccountInput = z.object({ confirm: z.string().max(254), password: z.string().max(1024).optional() });

/**
 * A person deletes their account. Refused while they are the last owner of an organisation with
 * other members (they name who takes over first). Organisations where they are the only member are
 * deleted with it. Their notebooks elsewhere go with what they held; what they wrote in shared
 * places stays. Then their memberships, API keys, sign-in links and the account itself.
 */
export async function deleteOwnAccount(
  connection: Connection,
  userId: string,
  input: unknown,
  context: { publisher?: EventPublisher; storage?: { s3: S3Client; buckets: readonly string[] } },
  now: Date = new Date(),
) {
  const data = parseInput(DeleteAccountInput, input ?? {}, "confirmation");
  const user = await userModel(connection).findById(userId).select({ email: 1, hasPassword: 1, systemRole: 1 }).lean();
  if (!user) throw new InvalidInputError("This account no longer exists.", [], "account.not_found");
  if (data.confirm.trim().toLowerCase() !== String(user.email).toLowerCase()) {
    throw new InvalidInputError("Type your email address to confirm.", [{ name: "confirm", message: "does not match your email" }], "account.confirm_mismatch");
  }
  if (user.hasPassword) {
    if (!data.password) throw new InvalidInputError("Enter your password to confirm.", [{ name: "password", message: "required" }], "account.password_required");
    await checkPassword(connection, userId, data.password);
  }
  if (user.systemRole === "operator") throw new ConflictError("Operators cannot delete their own account here. Ask another operator to remove your operator role first.", "account.is_operator");
  const preview = await accountDeletionPreview(connection, userId);
  if (preview.blockedBy.length) {
    throw new ConflictError(`You are the last owner of ${preview.blockedBy.map((o) => o.name).join(", ")}. Make another member an owner there, or delete the organisation, then delete your account.`, "account.last_owner");
  }
  // The organisations only this person is in go first (their membership goes with their data).
  for (const org of preview.organisationsDeleted) {
    await offboardTenant(connection, org.id, { actor: `user:${userId}`, cause: "its only member deleted their account" }, context.publisher);
  }
  // Their notebooks in every other organisation: hidden now, emptied in the background.
  const memberships = await runAsSystem("list a person's memberships", () => membershipModel(connection).find({ userId }).lean());
  for (const m of memberships) {
    const tenantId = String(m.tenantId);
    if (preview.organisationsDeleted.some((o) => o.id === tenantId)) continue;
    // The projects they own stay with the organisation (and their files with them).
    await handOverProjects(connection, tenantId, userId);
    const ids = await withTenant(tenantId, () => notebookModel(connection).find({ userId }).select({ _id: 1 }).lean());
    for (const n of ids) await deleteNotebookRecord(connection, tenantId, String(n._id), now);
  }
  // Memberships, API keys, sign-in links and the account (the control plane's deletion, which checks the owners again).
  const sole = new Set(preview.organisationsDeleted.map((o) => o.id));
  // Organisations already being deleted (by this person as their owner, say) hold nothing to stay an owner of.
  for (const m of memberships) {
    const tenant = await tenantModel(connection).findById(m.tenantId).select({ status: 1 }).lean();
    if (!tenant || tenant.status === "offboarding" || tenant.status === "offboarded") sole.add(String(m.tenantId));
  }
  await runAsSystem("leave the organisations being deleted", () => membershipModel(connection).deleteMany({ userId, tenantId: { $in: [...sole] } } as never));
  await deleteControlPlaneUser(connection, userId, context.publisher, now);
  const finished = await finishNotebookDeletions(connection, context.storage, now, { budgetMs: 10_000 });
  return { ...preview, notebooksLeftForHousekeeping: finished.left };
}
