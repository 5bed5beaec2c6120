import { Types, type Connection } from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closeConnection, getConnection } from "../src/database/index.js";
import { UnauthenticatedError } from "../src/errors/index.js";
import {
  ACCESS_TOKEN_TTL_SECONDS,
  REFRESH_REUSE_GRACE_MS,
  endAllSessions,
  refreshTokenModel,
  rotateRefreshToken,
  signAccessToken,
  startSession,
  userModel,
  verifyAccessToken,
} from "../src/identity/index.js";

const uri = `${inject("mongodbUri")}/core-sessions-test`;
const SECRET = "s".repeat(48);
let connection: Connection;
const userId = new Types.ObjectId().toString();

beforeAll(async () => {
  connection = await getConnection({ uri });
  await connection.dropDatabase();
  await refreshTokenModel(connection).init();
  // A session is refreshed only while its person's account is active.
  await userModel(connection).create({ _id: userId, email: "sessions@tandem.test", name: "Sessions" });
});
afterAll(() => closeConnection());

describe("access tokens", () => {
  it("round-trips the user and session", async () => {
    const token = await signAccessToken(SECRET, { userId, sessionId: "family-1" });
    expect(await verifyAccessToken(SECRET, token)).toEqual({ userId, sessionId: "family-1" });
  });

  it("refuses a tampered, foreign-signed or expired token", async () => {
    const token = await signAccessToken(SECRET, { userId, sessionId: "family-1" });
    const [header, payload, signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ sub: new Types.ObjectId().toString(), sid: "family-1", iss: "tandem", exp: 9_999_999_999 })).toString("base64url");
    await expect(verifyAccessToken(SECRET, `${header}.${forged}.${signature}`)).rejects.toMatchObject({ code: "session.invalid" });
    await expect(verifyAccessToken("x".repeat(48), token)).rejects.toMatchObject({ code: "session.invalid" });
    await expect(verifyAccessToken(SECRET, `${header}.${payload}.`)).rejects.toBeInstanceOf(UnauthenticatedError);
    const later = new Date(Date.now() + (ACCESS_TOKEN_TTL_SECONDS + 5) * 1000);
    await expect(verifyAccessToken(SECRET, token, later)).rejects.toMatchObject({ code: "session.expired" });
  });
});

describe("refresh tokens", () => {
  it("ends at the next refresh once the person is disabled", async () => {
    const other = await userModel(connection).create({ email: "disabled@tandem.test", name: "Disabled", status: "disabled" });
    const session = await startSession(connection, String(other._id));
    await expect(rotateRefreshToken(connection, session.refreshToken)).rejects.toMatchObject({ code: "session.account_disabled" });
  });

  it("rotates on every use, keeping the session", async () => {
    const first = await startSession(connection, userId);
    const second = await rotateRefreshToken(connection, first.refreshToken);
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const third = await rotateRefreshToken(connection, second.refreshToken);
    expect(third.userId).toBe(userId);
  });

  it("revokes the whole family when a rotated token is replayed", async () => {
    const t0 = new Date();
    const first = await startSession(connection, userId, t0);
    const second = await rotateRefreshToken(connection, first.refreshToken, t0);
    const later = new Date(t0.getTime() + REFRESH_REUSE_GRACE_MS + 1000);
    await expect(rotateRefreshToken(connection, first.refreshToken, later)).rejects.toMatchObject({ code: "session.replayed" });
    // The legitimate holder's newer token is gone too: the thief cannot keep the session alive.
    await expect(rotateRefreshToken(connection, second.refreshToken)).rejects.toMatchObject({ code: "session.invalid" });
  });

  it("serves two tabs refreshing at the same moment without ending the session", async () => {
    const first = await startSession(connection, userId);
    const [a, b] = await Promise.all([rotateRefreshToken(connection, first.refreshToken), rotateRefreshToken(connection, first.refreshToken)]);
    expect(a.refreshToken).not.toBe(b.refreshToken);
    expect(a.sessionId).toBe(first.sessionId);
    expect(b.sessionId).toBe(first.sessionId);
    // Both successors stay valid: neither tab was signed out.
    await rotateRefreshToken(connection, a.refreshToken);
    await rotateRefreshToken(connection, b.refreshToken);
  });

  it("signs a user out of every device", async () => {
    const laptop = await startSession(connection, userId);
    const phone = await startSession(connection, userId);
    await endAllSessions(connection, userId);
    await expect(rotateRefreshToken(connection, laptop.refreshToken)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(rotateRefreshToken(connection, phone.refreshToken)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it("refuses an expired refresh token", async () => {
    const old = await startSession(connection, userId, new Date(Date.now() - 31 * 24 * 60 * 60 * 1000));
    await expect(rotateRefreshToken(connection, old.refreshToken)).rejects.toMatchObject({ code: "session.invalid" });
  });
});
