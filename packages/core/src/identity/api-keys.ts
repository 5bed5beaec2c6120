import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { API_KEY_SCOPES as SCOPES, CreateApiKeyRequest } from "@tandem/client/contract";
import { shelf } from "../access/cache.js";
import { NotFoundError, parseInput, UnauthenticatedError } from "../errors/index.js";
import { runAsSystem, tenantScoped, withTenant } from "../tenancy/index.js";
import { digestToken, newSecretToken } from "./secret-token.js";
import { userModel } from "./model.js";

/**
 * Personal API keys for scripts and the @tandem/client package. A key belongs to one person in
 * one organisation, carries scopes, is shown once and stored only as a SHA-256 digest (it is
 * 256 random bits, so a slow hash adds nothing), and can be revoked at any time.
 */
export const API_KEY_PREFIX = "tdm_";
export const API_KEY_SCOPES = SCOPES;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

const apiKeySchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, trim: true },
    // The first characters, so people can tell their keys apart.
    hint: { type: String, required: true },
    hash: { type: String, required: true },
    scopes: { type: [String], enum: API_KEY_SCOPES, required: true },
    expiresAt: { type: Date, default: null },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: "api_keys" },
);
apiKeySchema.plugin(tenantScoped);
apiKeySchema.index({ hash: 1 }, { unique: true, name: "hash_unique" });
apiKeySchema.index({ tenantId: 1, userId: 1 }, { name: "tenant_user" });

type ApiKeyDocument = InferSchemaType<typeof apiKeySchema> & { tenantId: unknown; _id: unknown };

export function apiKeyModel(connection: Connection): Model<ApiKeyDocument> {
  return (connection.models.ApiKey as Model<ApiKeyDocument> | undefined) ?? connection.model<ApiKeyDocument>("ApiKey", apiKeySchema);
}

/** The contract's schema: name (one line, no control or text-direction characters), scopes, expiry. */
export const ApiKeyInput = CreateApiKeyRequest;

export interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly hint: string;
  readonly scopes: ApiKeyScope[];
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
}

const toApiKey = (doc: ApiKeyDocument): ApiKey => ({
  id: String(doc._id),
  name: doc.name,
  hint: doc.hint,
  scopes: doc.scopes as ApiKeyScope[],
  createdAt: doc.createdAt,
  expiresAt: doc.expiresAt ?? null,
  lastUsedAt: doc.lastUsedAt ?? null,
});

/** Creates a key; `secret` is returned this once and never again. */
export async function createApiKey(connection: Connection, tenantId: string, userId: string, input: unknown, now: Date = new Date()): Promise<{ key: ApiKey; secret: string }> {
  const data = parseInput(ApiKeyInput, input, "API key details");
  const secret = `${API_KEY_PREFIX}${newSecretToken()}`;
  const doc = await withTenant(tenantId, () =>
    apiKeyModel(connection).create({
      userId,
      name: data.name,
      hint: secret.slice(0, API_KEY_PREFIX.length + 6),
      hash: digestToken(secret),
      scopes: [...new Set(data.scopes)],
      expiresAt: data.expiresInDays ? new Date(now.getTime() + data.expiresInDays * 86_400_000) : null,
    }),
  );
  return { key: toApiKey(doc.toObject()), secret };
}

export async function listApiKeys(connection: Connection, tenantId: string, userId: string): Promise<ApiKey[]> {
  const docs = await withTenant(tenantId, () => apiKeyModel(connection).find({ userId, revokedAt: null }).sort({ createdAt: -1 }).lean());
  return docs.map(toApiKey);
}

export async function revokeApiKey(connection: Connection, tenantId: string, userId: string, keyId: string, now: Date = new Date()): Promise<void> {
  const gone = () => new NotFoundError("This API key does not exist or is already revoked. Reload the list.", "api_key.not_found");
  if (!/^[0-9a-f]{24}$/i.test(keyId)) throw gone();
  const result = await withTenant(tenantId, () => apiKeyModel(connection).updateOne({ _id: keyId, userId, revokedAt: null }, { $set: { revokedAt: now } }));
  knownKeys.forgetWhere((k) => k.principal.keyId === keyId);
  if (result.matchedCount === 0) throw gone();
}

/** Revokes every key of a person in an organisation (they left or were removed). */
export async function revokeApiKeysOf(connection: Connection, tenantId: string, userId: string, now: Date = new Date()): Promise<void> {
  await withTenant(tenantId, () => apiKeyModel(connection).updateMany({ userId, revokedAt: null }, { $set: { revokedAt: now } }));
  knownKeys.forgetWhere((k) => k.principal.tenantId === tenantId && k.principal.userId === userId);
}

export interface ApiKeyPrincipal {
  readonly keyId: string;
  readonly userId: string;
  readonly tenantId: string;
  readonly scopes: ApiKeyScope[];
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

// Keys that were valid when read, by their digest (see access/cache.ts for how stale they may be).
const knownKeys = shelf<{ readonly id: unknown; readonly principal: ApiKeyPrincipal; readonly expiresAt: Date | null; lastUsedAt: Date | null }>();

/**
 * The person, organisation and scopes behind a key; revoked, expired or unknown keys are refused.
 * With `cached`, a valid key is remembered for the access cache's TTL (its expiry is checked on
 * every use); revoking it in this process forgets it at once.
 */
export async function authenticateApiKey(connection: Connection, secret: string, now: Date = new Date(), options: { cached?: boolean } = {}): Promise<ApiKeyPrincipal> {
  const hash = digestToken(secret);
  const read = async () => {
    const doc = await runAsSystem("authenticate an API key", () => apiKeyModel(connection).findOne({ hash }).lean());
    if (!doc || doc.revokedAt) return undefined;
    // A disabled (or deleted) person's keys stop with them.
    const owner = await userModel(connection).findById(doc.userId).select({ status: 1 }).lean();
    if (owner?.status !== "active") return undefined;
    return { id: doc._id, principal: { keyId: String(doc._id), userId: String(doc.userId), tenantId: String(doc.tenantId), scopes: doc.scopes as ApiKeyScope[] }, expiresAt: doc.expiresAt ?? null, lastUsedAt: doc.lastUsedAt ?? null };
  };
  const key = options.cached ? await knownKeys.remember(hash, read) : await read();
  if (!key || (key.expiresAt && key.expiresAt <= now)) {
    throw new UnauthenticatedError("This API key is unknown, revoked or expired. Create a new one on the organisation's page, under API keys.", "api_key.invalid");
  }
  // Written at most once a minute, so busy scripts do not turn every read into a write.
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > 60_000) {
    await runAsSystem("note when an API key was used", () => apiKeyModel(connection).updateOne({ _id: key.id }, { $set: { lastUsedAt: now } }));
    key.lastUsedAt = now;
  }
  return key.principal;
}
