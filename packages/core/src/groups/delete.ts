import type { Connection } from "mongoose";
import { isDomainError } from "../errors/index.js";
import { dropGroupFromSpendCaps } from "../spend/index.js";
import { deleteGroup as deleteGroupRecord } from "./groups.js";
import { dropGroupFromModelPolicy } from "./policy.js";
import { removeSharesOf } from "../sharing/shares.js";

/**
 * Deletes a group, its memberships, and the rules that named it (its model rule and its spend
 * caps). The rules are dropped after the group: a crash in between leaves rules that match no one
 * (no member is in a deleted group), and deleting the group again (404) drops them then.
 */
export async function deleteGroup(connection: Connection, tenantId: string, groupId: string): Promise<void> {
  const dropRules = () => Promise.all([dropGroupFromModelPolicy(connection, tenantId, groupId), dropGroupFromSpendCaps(connection, tenantId, groupId), removeSharesOf(connection, tenantId, { groupId })]);
  try {
    await deleteGroupRecord(connection, tenantId, groupId);
  } catch (error) {
    if (isDomainError(error) && error.code === "group.not_found" && /^[0-9a-f]{24}$/i.test(groupId)) await dropRules();
    throw error;
  }
  await dropRules();
}
