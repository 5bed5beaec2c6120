import { randomBytes, timingSafeEqual } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { z } from "zod";
import { NotFoundError, parseInput, UnauthenticatedError } from "../errors/index.js";
import { digestToken } from "../identity/secret-token.js";
import { ControlPlaneScope, parseScopes, type ControlPlaneScope as Scope } from "./scopes.js";

/**
 * Machine access to the control plane: OAuth 2.0 client credentials (RFC 6749 section 4.4). An
 * operator creates a client with some scopes and gets its secret once; a script trades id and
 * secret for a short-lived JWT (`POST /control-plane/oauth/token`) and sends it as a bearer token.
 * Only the secret's SHA-256 is stored (256 random bits: a fast digest is enough).
 */
const clientSchema = new Schema(
  {
    clientId: { type: String, required: true },
    secretHash: { type: String, required: true },
    name: { type: String, required: true, trim: true },
    scopes: { type: [String], required: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    revokedAt: { type: Date, default: null },
    lastUsedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: "control_plane_clients" },
);
clientSchema.index({ clientId: 1 }, { unique: true, name: "client_id_unique" });

type ClientDocument = InferSchemaType<typeof clientSchema> & { _id: unknown; createdAt: Date };

export function controlPlaneClientModel(connection: Connection): Model<ClientDocument> {
  return (connection.models.ControlPlaneClient as Model<ClientDocument> | undefined) ?? connection.model<ClientDocument>("ControlPlaneClient", clientSchema);
}

/** Lifetime of an access token: short, since a script asks again with its credentials. */
export const CONTROL_PLANE_TOKEN_SECONDS = 15 * 60;
const AUDIENCE = "tandem-control-plane";
const ISSUER = "tandem-control-plane";

export const ClientInput = z.object({
  name: z.string().trim().min(1, "Give the client a name").max(100, "Use at most 100 characters"),
  scopes: z.array(ControlPlaneScope).min(1, "Give the client at least one scope"),
});

export interface ControlPlaneClient {
  readonly clientId: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly createdAt: Date;
  readonly revoked: boolean;
  readonly lastUsedAt: Date | null;
}

const toClient = (d: ClientDocument): ControlPlaneClient => ({ clientId: d.clientId, name: d.name, scopes: d.scopes as Scope[], createdAt: d.createdAt, revoked: Boolean(d.revokedAt), lastUsedAt: d.lastUsedAt ?? null });

/** Creates a client; its secret is returned this once. */
export async function createControlPlaneClient(connection: Connection, operatorId: string, input: unknown): Promise<{ client: ControlPlaneClient; clientSecret: string }> {
  const data = parseInput(ClientInput, input, "client details");
  const clientId = `tcp_${randomBytes(12).toString("base64url")}`;
  const clientSecret = randomBytes(32).toString("base64url");
  const doc = await controlPlaneClientModel(connection).create({ clientId, secretHash: digestToken(clientSecret), name: data.name, scopes: [...new Set(data.scopes)], createdBy: operatorId });
  return { client: toClient(doc.toObject()), clientSecret };
}

export async function listControlPlaneClients(connection: Connection): Promise<ControlPlaneClient[]> {
  return (await controlPlaneClientModel(connection).find({}).sort({ createdAt: 1 }).lean()).map(toClient);
}

/** Revokes a client: it gets no new token, and its tokens stop working (checked on every request). */
export async function revokeControlPlaneClient(connection: Connection, clientId: string, now: Date = new Date()): Promise<void> {
  const { matchedCount } = await controlPlaneClientModel(connection).updateOne({ clientId }, { $set: { revokedAt: now } });
  if (!matchedCount) throw new NotFoundError("There is no such client. List the clients to find its id.", "control_plane.client_not_found");
}

/** Why a token request is refused, in OAuth 2.0's terms (RFC 6749 section 5.2). */
export class OAuthError extends Error {
  constructor(
    readonly error: "invalid_request" | "invalid_client" | "unsupported_grant_type" | "invalid_scope",
    readonly description: string,
  ) {
    super(description);
  }
  get status(): number {
    return this.error === "invalid_client" ? 401 : 400;
  }
}

const TokenRequest = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().max(200).optional(),
  client_secret: z.string().max(200).optional(),
  scope: z.string().max(1000).optional(),
});

/**
 * The token endpoint: `grant_type=client_credentials`, the client authenticated by HTTP Basic
 * (`basic`, as RFC 6749 prefers) or by `client_id` and `client_secret` in the body. The token
 * carries the requested scopes, or all of the client's when none are asked for.
 */
export async function issueControlPlaneToken(connection: Connection, jwtSecret: string, body: unknown, basic?: { id: string; secret: string }, now: Date = new Date()): Promise<{ access_token: string; token_type: "Bearer"; expires_in: number; scope: string }> {
  const request = TokenRequest.safeParse(body ?? {});
  if (!request.success) throw new OAuthError("invalid_request", "Send grant_type, and the client's id and secret (HTTP Basic or client_id and client_secret), as a form.");
  if (request.data.grant_type !== "client_credentials") throw new OAuthError("unsupported_grant_type", "Only grant_type=client_credentials is supported.");
  // RFC 6749 section 2.3: one way of authenticating per request.
  if (basic && (request.data.client_id !== undefined || request.data.client_secret !== undefined)) {
    throw new OAuthError("invalid_request", "Send the client's credentials one way only: HTTP Basic, or client_id and client_secret in the form.");
  }
  const id = basic?.id ?? request.data.client_id;
  const secret = basic?.secret ?? request.data.client_secret;
  const refused = () => new OAuthError("invalid_client", "The client id or secret is wrong, or the client was revoked. Ask an operator for credentials.");
  if (!id || !secret) throw refused();
  const client = await controlPlaneClientModel(connection).findOne({ clientId: id, revokedAt: null }).lean();
  // Compared in constant time; an unknown id costs the same digest.
  const expected = Buffer.from(client?.secretHash ?? digestToken("no such client"), "hex");
  const given = Buffer.from(digestToken(secret), "hex");
  if (!client || !timingSafeEqual(expected, given)) throw refused();
  const asked = request.data.scope === undefined ? (client.scopes as Scope[]) : parseScopes(request.data.scope);
  if (!asked || asked.length === 0 || asked.some((s) => !client.scopes.includes(s))) throw new OAuthError("invalid_scope", `Ask for some of this client's scopes: ${client.scopes.join(" ")}.`);
  await controlPlaneClientModel(connection).updateOne({ _id: client._id }, { $set: { lastUsedAt: now } });
  const issuedAt = Math.floor(now.getTime() / 1000);
  const access_token = await new SignJWT({ scope: asked.join(" "), client_id: client.clientId })
    .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
    .setSubject(client.clientId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + CONTROL_PLANE_TOKEN_SECONDS)
    .sign(new TextEncoder().encode(jwtSecret));
  return { access_token, token_type: "Bearer", expires_in: CONTROL_PLANE_TOKEN_SECONDS, scope: asked.join(" ") };
}

/** A bearer token's client and scopes; refused when invalid, expired, or its client was revoked since. */
export async function verifyControlPlaneToken(connection: Connection, jwtSecret: string, token: string, now: Date = new Date()): Promise<{ clientId: string; scopes: Scope[] }> {
  const invalid = (code = "control_plane.token_invalid") => new UnauthenticatedError("The control plane's access token is not valid. Get a new one from /control-plane/oauth/token.", code);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(jwtSecret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ["HS256"], typ: "at+jwt", currentDate: now }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError("The control plane's access token has expired. Get a new one from /control-plane/oauth/token.", "control_plane.token_expired");
    throw invalid();
  }
  const scopes = typeof payload.scope === "string" ? parseScopes(payload.scope) : undefined;
  if (typeof payload.sub !== "string" || !scopes) throw invalid();
  if (!(await controlPlaneClientModel(connection).exists({ clientId: payload.sub, revokedAt: null }))) throw invalid("control_plane.client_revoked");
  return { clientId: payload.sub, scopes };
}

