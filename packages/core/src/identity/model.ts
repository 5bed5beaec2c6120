import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { withLease } from "../database/lease.js";

const userSchema = new Schema(
  {
    // Stored lower-cased: case-insensitive uniqueness without collations, which FerretDB v1 lacks.
    email: { type: String, required: true, lowercase: true, trim: true },
    name: { type: String, required: true, trim: true },
    emailVerifiedAt: { type: Date },
    // Never selected unless asked for explicitly.
    passwordHash: { type: String, select: false },
    // Whether a password is set, readable without selecting the hash.
    hasPassword: { type: Boolean, default: false },
    // When the password was last set: reset links issued before it no longer work.
    passwordChangedAt: { type: Date, default: null },
    status: { type: String, enum: ["active", "disabled"], required: true, default: "active" },
    // A role above organisations: operators run the control plane (control-plane/operators.ts).
    systemRole: { type: String, enum: ["operator"], default: null },
    // The organisation the user last switched to; the web app opens it.
    currentTenantId: { type: Schema.Types.ObjectId, default: null },
    // The theme the person chose (light, dark or system); null until they choose: DEFAULT_THEME applies.
    theme: { type: String, enum: ["light", "dark", "system"], default: null },
  },
  { timestamps: true, collection: "users" },
);
userSchema.index({ email: 1 }, { unique: true, name: "email_unique" });

export type UserDocument = InferSchemaType<typeof userSchema>;
export type UserModel = Model<UserDocument>;

export function userModel(connection: Connection): UserModel {
  return (connection.models.User as UserModel | undefined) ?? connection.model("User", userSchema);
}

/**
 * Runs a write of a person's account document under the account's lease, one after another.
 * FerretDB v1 applies an update by reading the document and writing it back whole, so two updates
 * of one account at once lose one: a rename (or a password reset) at the moment of a disable could
 * write the account back as active.
 */
export function withUserRecord<T>(connection: Connection, userId: unknown, fn: () => Promise<T>): Promise<T> {
  return withLease(connection, `user:${String(userId).toLowerCase()}`, fn, { what: "This account" });
}
