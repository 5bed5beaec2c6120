import type { Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeConnection, getConnection } from "../src/database/index.js";
import { ConflictError, InvalidInputError, UnauthenticatedError } from "../src/errors/index.js";
import { issueToken, oneTimeTokenModel, requestPasswordReset, resetPassword, signIn, signUp, userModel, verifyEmail } from "../src/identity/index.js";

const uri = `${inject("mongodbUri")}/core-accounts-test`;
let connection: Connection;

beforeAll(async () => {
  connection = await getConnection({ uri });
  await connection.dropDatabase();
  await Promise.all([userModel(connection).init(), oneTimeTokenModel(connection).init()]);
});
afterAll(() => closeConnection());

describe("accounts", () => {
  it("signs up with a hashed password and refuses a second account for the same address", async () => {
    const { account, verifyToken } = await signUp(connection, { email: "Grace@Example.com", name: "Grace", password: "correct horse battery" });
    expect(account).toMatchObject({ email: "grace@example.com", emailVerified: false });
    expect(verifyToken).toMatch(/^[\w-]{43}$/);
    const stored = await userModel(connection).findById(account.id).select("+passwordHash").lean();
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(signUp(connection, { email: "grace@example.com", name: "G", password: "another long password" })).rejects.toBeInstanceOf(ConflictError);
  });

  it("refuses weak or malformed sign-ups with a reason per field", async () => {
    const error = await signUp(connection, { email: "not-an-email", name: "", password: "short" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).issues.map((i) => i.name).sort()).toEqual(["email", "name", "password"]);
  });

  it("signs in with the right password only, and says the same for unknown emails", async () => {
    // Until the address is confirmed, the right password gets a pointer to the mail instead.
    await expect(signIn(connection, { email: "grace@example.com", password: "correct horse battery" })).rejects.toMatchObject({ code: "account.unverified" });
    await userModel(connection).updateOne({ email: "grace@example.com" }, { $set: { emailVerifiedAt: new Date() } });
    expect((await signIn(connection, { email: "GRACE@example.com", password: "correct horse battery" })).email).toBe("grace@example.com");
    const wrong = await signIn(connection, { email: "grace@example.com", password: "wrong password!" }).catch((e: unknown) => e);
    const unknown = await signIn(connection, { email: "nobody@example.com", password: "wrong password!" }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(UnauthenticatedError);
    expect(unknown).toBeInstanceOf(UnauthenticatedError);
    expect((wrong as Error).message).toBe((unknown as Error).message);
  });

  it("verifies an address with its link once", async () => {
    const { verifyToken } = await signUp(connection, { email: "alan@example.com", name: "Alan", password: "enigma machine 1940" });
    expect((await verifyEmail(connection, verifyToken)).emailVerified).toBe(true);
    await expect(verifyEmail(connection, verifyToken)).rejects.toMatchObject({ code: "account.verify_link_invalid" });
    await expect(verifyEmail(connection, "made-up-token")).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it("lets two simultaneous clicks use a link only once", async () => {
    const { verifyToken } = await signUp(connection, { email: "race@example.com", name: "Race", password: "first past the post" });
    const results = await Promise.allSettled([verifyEmail(connection, verifyToken), verifyEmail(connection, verifyToken)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("refuses an expired link", async () => {
    const user = await userModel(connection).findOne({ email: "alan@example.com" }).lean();
    const token = await issueToken(connection, { userId: user!._id, purpose: "reset_password", ttlMs: 1_000, now: new Date(Date.now() - 60_000) });
    await expect(resetPassword(connection, token, "brand new password")).rejects.toMatchObject({ code: "account.reset_link_invalid" });
  });

  it("resets a password through a reset link, which then stops working", async () => {
    expect(await requestPasswordReset(connection, "nobody@example.com")).toBeUndefined();
    const request = await requestPasswordReset(connection, "Alan@example.com");
    expect(request?.account.email).toBe("alan@example.com");
    await resetPassword(connection, request!.token, "a completely new passphrase");
    await expect(signIn(connection, { email: "alan@example.com", password: "enigma machine 1940" })).rejects.toBeInstanceOf(UnauthenticatedError);
    expect((await signIn(connection, { email: "alan@example.com", password: "a completely new passphrase" })).name).toBe("Alan");
    await expect(resetPassword(connection, request!.token, "yet another passphrase")).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it("treats a mongo operator in place of an email as invalid input, never as a query", async () => {
    const error = await signIn(connection, { email: { $gt: "" } as unknown as string, password: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
  });
});
