export { groupModel, groupMemberModel, groupNameKey, type GroupDocument, type GroupMemberDocument } from "./model.js";
export { listGroups, createGroup, renameGroup, addGroupMember, removeGroupMember, removeFromAllGroups, groupIdsOf, groupNames, type GroupView } from "./groups.js";
export { applyGroupRules, memberModelPolicy, allowedModelsFor, policyAllows, type GroupModelRule } from "./policy.js";
export { deleteGroup } from "./delete.js";
