import { randomUUID } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { shelf } from "../access/cache.js";
import { claimModel, claimOnce } from "../database/index.js";
import { digestToken, newSecretToken } from "./secret-token.js";
import { userModel } from "./model.js";
import { UnauthenticatedError } from "../errors/index.js";

/**
 * Sessions: a short-lived access token (JWT, HS256 with JWT_SECRET) and a long-lived refresh
 * token that is rotated on every use. Refresh tokens of one sign-in form a family; presenting a
 * token that was already rotated means it was copied, so the whole family is revoked.
 */
// Short enough that a stolen access token soon expires; long enough not to refresh per click.
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
// A month of inactivity signs a device out.
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;
// Two tabs of one browser may refresh with the same token at once; the second within this
// window is served, not taken for a thief. Later reuse revokes the family.
export const REFRESH_REUSE_GRACE_MS = 10 * 1000;

const refreshSchema = new Schema(
  {
    hash: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    familyId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    // How the person signed in ("password", or the provider): kept through rotations, so a rule
    // such as "operators sign in with Okta" can be checked on every request of the session.
    method: { type: String, default: "password" },
  },
  { timestamps: true, collection: "refresh_tokens" },
);
refreshSchema.index({ hash: 1 }, { unique: true, name: "hash_unique" });
refreshSchema.index({ familyId: 1 }, { name: "family_1" });
refreshSchema.index({ userId: 1 }, { name: "user_1" });
refreshSchema.index({ expiresAt: 1 }, { name: "expiresAt_1" });

type RefreshDocument = InferSchemaType<typeof refreshSchema>;

export function refreshTokenModel(connection: Connection): Model<RefreshDocument> {
  return (connection.models.RefreshToken as Model<RefreshDocument> | undefined) ?? connection.model("RefreshToken", refreshSchema);
}

export interface SessionTokens {
  readonly userId: string;
  readonly sessionId: string;
  readonly refreshToken: string;
  readonly refreshExpiresAt: Date;
}

async function issueRefresh(connection: Connection, userId: string, familyId: string, now: Date, method: string): Promise<SessionTokens> {
  const refreshToken = newSecretToken();
  const refreshExpiresAt = new Date(now.getTime() + REFRESH_TOKEN_TTL_MS);
  await refreshTokenModel(connection).create({ hash: digestToken(refreshToken), userId, familyId, expiresAt: refreshExpiresAt, method });
  return { userId, sessionId: familyId, refreshToken, refreshExpiresAt };
}

/** Starts a sign-in's session; `method` is how the person signed in ("password", or the provider). */
export function startSession(connection: Connection, userId: string, now: Date = new Date(), method = "password"): Promise<SessionTokens> {
  return issueRefresh(connection, userId, randomUUID(), now, method);
}

/** How the sign-in of a session was made ("password", "google", "github", "okta"); undefined if it is unknown or ended. */
export async function sessionMethod(connection: Connection, sessionId: string): Promise<string | undefined> {
  const doc = await refreshTokenModel(connection).findOne({ familyId: sessionId, revokedAt: null }).select({ method: 1 }).lean();
  return doc ? (doc.method ?? "password") : undefined;
}

const signedOut = (code: string) => new UnauthenticatedError("Your session has ended. Sign in again.", code);

export async function rotateRefreshToken(connection: Connection, refreshToken: string, now: Date = new Date()): Promise<SessionTokens> {
  const hash = digestToken(refreshToken);
  const tokens = refreshTokenModel(connection);
  const doc = await tokens.findOne({ hash }).lean();
  if (!doc || doc.revokedAt || doc.expiresAt <= now) throw signedOut("session.invalid");
  // A disabled (or deleted) person's session ends here, whatever a sign-in racing the disable left open.
  const owner = await userModel(connection).findById(doc.userId).select({ status: 1 }).lean();
  if (owner?.status !== "active") throw signedOut("session.account_disabled");
  if (!(await claimOnce(connection, "refresh_token_rotations", hash, now))) {
    const claim = await claimModel(connection, "refresh_token_rotations").findOne({ key: hash }).lean();
    if (claim && now.getTime() - claim.at.getTime() < REFRESH_REUSE_GRACE_MS) return issueRefresh(connection, String(doc.userId), doc.familyId, now, doc.method ?? "password");
    // Used before: someone holds a copy. End every session of this sign-in.
    await tokens.updateMany({ familyId: doc.familyId }, { $set: { revokedAt: now } });
    forgetSession(doc.familyId);
    throw signedOut("session.replayed");
  }
  return issueRefresh(connection, String(doc.userId), doc.familyId, now, doc.method ?? "password");
}

// Active sessions, by "<userId>:<sessionId>" (see access/cache.ts for how stale they may be).
const activeSessions = shelf<{ readonly userId: string; readonly sessionId: string }>();

const forgetSession = (sessionId: string) => activeSessions.forgetWhere((s) => s.sessionId === sessionId);

/**
 * False once the sign-in was ended (sign-out, sign-out everywhere, replay) or lapsed, and for a
 * token that names a session of another user: a session is bound to the user who signed in.
 * With `cached`, an active session is remembered for the access cache's TTL; ending it in this
 * process forgets it at once.
 */
export async function isSessionActive(connection: Connection, claims: AccessClaims, now: Date = new Date(), options: { cached?: boolean } = {}): Promise<boolean> {
  const read = async () => Boolean(await refreshTokenModel(connection).exists({ familyId: claims.sessionId, userId: claims.userId, revokedAt: null, expiresAt: { $gt: now } }));
  if (!options.cached) return read();
  const active = await activeSessions.remember(`${claims.userId}:${claims.sessionId}`, async () => ((await read()) ? { userId: claims.userId, sessionId: claims.sessionId } : undefined));
  return active !== undefined;
}

/** The session a refresh token belongs to, without using it up (for checks made before rotating). */
export async function peekRefreshToken(connection: Connection, refreshToken: string, now: Date = new Date()): Promise<AccessClaims | undefined> {
  const doc = await refreshTokenModel(connection).findOne({ hash: digestToken(refreshToken) }).lean();
  if (!doc || doc.revokedAt || doc.expiresAt <= now) return undefined;
  return { userId: String(doc.userId), sessionId: doc.familyId };
}

export async function endSession(connection: Connection, sessionId: string, now: Date = new Date()): Promise<void> {
  await refreshTokenModel(connection).updateMany({ familyId: sessionId, revokedAt: null }, { $set: { revokedAt: now } });
  forgetSession(sessionId);
}

/** Signs the user out of every device. Access tokens already issued lapse within their TTL. */
export async function endAllSessions(connection: Connection, userId: string, now: Date = new Date()): Promise<void> {
  await refreshTokenModel(connection).updateMany({ userId, revokedAt: null }, { $set: { revokedAt: now } });
  activeSessions.forgetWhere((s) => s.userId === String(userId));
}

export interface AccessClaims {
  readonly userId: string;
  readonly sessionId: string;
}

const key = (secret: string) => new TextEncoder().encode(secret);
const ISSUER = "tandem";

export function signAccessToken(secret: string, claims: AccessClaims, now: Date = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_SECONDS)
    .sign(key(secret));
}

export async function verifyAccessToken(secret: string, token: string, now: Date = new Date()): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, algorithms: ["HS256"], currentDate: now });
    if (typeof payload.sub !== "string" || typeof payload.sid !== "string") throw signedOut("session.invalid");
    return { userId: payload.sub, sessionId: payload.sid };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError("Your sign-in has expired. Refresh the session or sign in again.", "session.expired");
    if (error instanceof UnauthenticatedError) throw error;
    throw signedOut("session.invalid");
  }
}
