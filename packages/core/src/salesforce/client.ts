import type { Connection as JsforceConnection } from "jsforce";

/** The SF_* secrets, as `config.salesforce` gives them (runtime.ts). */
export interface SalesforceConfig {
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly username: string;
  readonly password: string;
  readonly securityToken: string;
  /** SF_INSTANCE: the login URL of the OAuth username-password flow (the org's My Domain URL). */
  readonly instanceUrl: string;
}

/** The REST API version the sync speaks (upserts answer 200 with the id on an update from 46.0). */
export const SALESFORCE_API_VERSION = "62.0";

/** The Account's and the Contact's external id fields, which an admin creates in Salesforce (README). */
export const ACCOUNT_EXTERNAL_ID = "Tandem_Tenant_Id__c";
export const CONTACT_EXTERNAL_ID = "Tandem_User_Id__c";

// jsforce is pinned to 3.10.16: later 3.10 releases require Node.js 22 (undici 8), and the
// functions run nodejs20.x.
type Jsforce = { Connection: typeof JsforceConnection };
let jsforce: Promise<Jsforce> | undefined;

/** jsforce is loaded on first use only: functions that never sync do not pay for it at start. */
function loadJsforce(): Promise<Jsforce> {
  jsforce ??= import("jsforce").then((m) => ({ Connection: m.Connection }));
  return jsforce;
}

/** A promise that gives up after `ms` (jsforce's own timeout is 30 minutes). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`${what} got no answer within ${Math.round(ms / 1000)} s`), { errorCode: "TIMEOUT" })), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A session with the org: OAuth 2.0 username-password flow (the connected app's key and secret, the
 * integration user's password followed by its security token) against SF_INSTANCE. jsforce logs in
 * again by itself when a call answers 401 INVALID_SESSION_ID.
 */
export async function openSalesforce(config: SalesforceConfig, timeoutMs: number, version = SALESFORCE_API_VERSION): Promise<JsforceConnection> {
  const { Connection } = await loadJsforce();
  const connection = new Connection({
    oauth2: { clientId: config.consumerKey, clientSecret: config.consumerSecret, loginUrl: config.instanceUrl.replace(/\/+$/, "") },
    version,
  });
  await withTimeout(connection.login(config.username, config.password + config.securityToken), timeoutMs, "the login");
  return connection;
}

/** Upsert by external id; the record's Salesforce id, read back when an old API version answers 204 without it. */
export async function upsertByExternalId(connection: JsforceConnection, type: "Account" | "Contact", externalIdField: string, externalId: string, fields: Record<string, string | null>, timeoutMs: number): Promise<string> {
  const result = await withTimeout(connection.sobject(type).upsert({ ...fields, [externalIdField]: externalId }, externalIdField), timeoutMs, `the ${type} upsert`);
  if (!result.success) {
    const first = result.errors[0] as { errorCode?: string; statusCode?: string; message?: string } | undefined;
    throw Object.assign(new Error(first?.message ?? `the ${type} upsert failed`), { errorCode: first?.errorCode ?? first?.statusCode ?? "UPSERT_FAILED" });
  }
  if (result.id) return result.id;
  const found = await withTimeout(connection.request<{ Id: string }>(`/sobjects/${type}/${externalIdField}/${encodeURIComponent(externalId)}?fields=Id`), timeoutMs, `the ${type} read`);
  return found.Id;
}

/**
 * A short reason for the link record and the logs: the step, Salesforce's error code and message,
 * at most 300 characters, with every secret (and anything shaped like an access token) removed.
 */
export function describeFailure(step: string, error: unknown, config: SalesforceConfig): string {
  const e = error as { errorCode?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  const code = typeof e?.errorCode === "string" ? e.errorCode : typeof e?.cause?.code === "string" ? e.cause.code : typeof e?.name === "string" && e.name !== "Error" ? e.name : undefined;
  const message = typeof e?.message === "string" ? e.message : String(error);
  let text = `${step}: ${code ? `${code}: ` : ""}${message}`.replace(/\s+/g, " ");
  const secrets = [config.password + config.securityToken, config.password, config.securityToken, config.consumerSecret, config.consumerKey].filter((s) => s.length >= 4);
  for (const secret of secrets) text = text.split(secret).join("[redacted]");
  text = text.replace(/00D[0-9A-Za-z]{12,15}![\w.-]+/g, "[redacted]").replace(/Bearer\s+\S+/gi, "Bearer [redacted]");
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
