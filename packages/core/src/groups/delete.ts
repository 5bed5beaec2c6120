import type { Connection } from "mongoose";
import { dropGroupFromSpendCaps } from "../spend/index.js";
import { deleteGroup as deleteGroupRecord } from "./groups.js";
import { dropGroupFromModelPolicy } from "./policy.js";

/**
 * Deletes a group, its memberships, and the rules that named it (its model rule and its spend
 * caps). The rules are dropped after the group: a crash in between leaves rules that match no one
 * (no member is in a deleted group), which the next policy or caps change leaves out.
 */
export async function deleteGroup(connection: Connection, tenantId: string, groupId: string): Promise<void> {
  await deleteGroupRecord(connection, tenantId, groupId);
  await Promise.all([dropGroupFromModelPolicy(connection, tenantId, groupId), dropGroupFromSpendCaps(connection, tenantId, groupId)]);
}
