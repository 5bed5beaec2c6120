import { z } from "zod";
import { ObjectIdString, singleLine } from "./text.js";

/** At most this many groups in one organisation. */
export const MAX_GROUPS = 200;

export const GroupName = singleLine("group name", 80, "Give the group a name");

export const Group = z.object({
  id: ObjectIdString,
  name: z.string(),
  memberIds: z.array(ObjectIdString).describe("The members in the group (user ids, as GET /api/orgs/{orgId}/members names them)"),
  mine: z.boolean().describe("true when you are in the group"),
  createdAt: z.string(),
});
export type Group = z.infer<typeof Group>;
export const GroupsResponse = z.object({ groups: z.array(Group).describe("The organisation's groups, by name") });
export const GroupResponse = z.object({ group: Group });
export const CreateGroupRequest = z.object({ name: GroupName }).strict();
export const RenameGroupRequest = z.object({ name: GroupName }).strict();
