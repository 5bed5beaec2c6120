export { shareModel, type ShareDocument } from "./model.js";
export { rightOf, atLeast } from "./access.js";
export { listShares, shareNotebook, revokeShare, sharedWithMe, removeSharesWith, removeSharesOf } from "./shares.js";
