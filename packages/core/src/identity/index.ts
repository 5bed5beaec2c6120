export { userModel, type UserDocument, type UserModel } from "./model.js";
