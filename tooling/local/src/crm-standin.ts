import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local CRM stand-in for the tests: no real CRM can run here. It speaks the part of the
 * Salesforce REST API and OAuth 2.0 username-password flow that the CRM sync uses, so the real
 * `jsforce` client is what talks to it: POST /services/oauth2/token (grant_type=password, the
 * connected app's key and secret, the user's password followed by the security token), GET
 * /services/data/ (versions), upsert by external id (PATCH /services/data/vXX.X/sobjects/{type}/
 * {field}/{value}: 201 created, 200 updated from API 46.0, 204 before), GET of a record by id or
 * external id, a simple SOQL query (`SELECT a, b FROM X [WHERE f = 'v']`), 401 INVALID_SESSION_ID
 * for an unknown token, and Salesforce's error bodies (`[{ message, errorCode }]`, OAuth's
 * `{ error, error_description }`). It listens on loopback only and keeps records in memory.
 */
export interface CrmStandInOptions {
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly username: string;
  readonly password: string;
  readonly securityToken: string;
  readonly port?: number;
  /** Each answer waits this long (default 0), so concurrent clients overlap. */
  readonly latencyMs?: number;
}

export interface CrmRecord {
  readonly Id: string;
  readonly [field: string]: unknown;
}

export interface CrmStandIn {
  /** The login URL and instance URL (the same server). */
  readonly url: string;
  /** Every request, in order (paths without the query string). */
  readonly requests: Array<{ method: string; path: string; status: number }>;
  /** The records of one object type, as stored. */
  records(type: "Account" | "Contact"): CrmRecord[];
  /** The next `count` API calls (not logins) are answered with `status` (503 by default). */
  failNext(count: number, status?: number): void;
  /** Every issued access token stops working (as a session timeout); the client must log in again. */
  expireSessions(): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

const VERSIONS = ["45.0", "50.0", "59.0", "62.0"];

/** The objects it knows: their fields and the external id field upserts may use. */
const OBJECTS: Record<string, { prefix: string; fields: readonly string[]; required: readonly string[]; externalIds: readonly string[] }> = {
  Account: { prefix: "001", fields: ["Name", "Tandem_Tenant_Id__c", "Tandem_Plan__c", "Tandem_Status__c"], required: ["Name"], externalIds: ["Tandem_Tenant_Id__c"] },
  Contact: { prefix: "003", fields: ["AccountId", "Email", "FirstName", "LastName", "Tandem_User_Id__c"], required: ["LastName"], externalIds: ["Tandem_User_Id__c"] },
};

type ApiError = { status: number; errorCode: string; message: string };
const apiError = (status: number, errorCode: string, message: string): ApiError => ({ status, errorCode, message });

export async function startCrmStandIn(options: CrmStandInOptions): Promise<CrmStandIn> {
  const tokens = new Set<string>();
  const store = new Map<string, Map<string, Record<string, unknown>>>(Object.keys(OBJECTS).map((t) => [t, new Map()]));
  const requests: CrmStandIn["requests"] = [];
  let failures = 0;
  let failureStatus = 503;
  let latencyMs = options.latencyMs ?? 0;
  let sequence = 0;
  const orgId = "00D000000000001AAA";
  const userId = "005000000000001AAA";

  const newId = (prefix: string) => `${prefix}${(++sequence).toString(36).toUpperCase().padStart(12, "0")}AAA`;
  const typeOfId = (id: string) => Object.entries(OBJECTS).find(([, o]) => id.startsWith(o.prefix))?.[0];

  function send(res: ServerResponse, status: number, body?: unknown): void {
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { "content-type": "application/json;charset=UTF-8" }).end(JSON.stringify(body));
  }
  const sendError = (res: ServerResponse, e: ApiError) => send(res, e.status, [{ message: e.message, errorCode: e.errorCode }]);

  function withAttributes(type: string, version: string, record: Record<string, unknown>, fields?: readonly string[]) {
    const picked = fields ? Object.fromEntries(fields.map((f) => [f, f === "Id" ? record.Id : (record[f] ?? null)])) : { ...record };
    return { attributes: { type, url: `/services/data/v${version}/sobjects/${type}/${String(record.Id)}` }, ...picked };
  }

  function token(res: ServerResponse, body: string, url: string): void {
    const form = new URLSearchParams(body);
    if (form.get("grant_type") !== "password") return send(res, 400, { error: "unsupported_grant_type", error_description: "grant type not supported" });
    if (form.get("client_id") !== options.consumerKey) return send(res, 400, { error: "invalid_client_id", error_description: "client identifier invalid" });
    if (form.get("client_secret") !== options.consumerSecret) return send(res, 400, { error: "invalid_client", error_description: "invalid client credentials" });
    if (form.get("username") !== options.username || form.get("password") !== options.password + options.securityToken) {
      return send(res, 400, { error: "invalid_grant", error_description: "authentication failure" });
    }
    const accessToken = `${orgId}!${randomBytes(24).toString("base64url")}`;
    tokens.add(accessToken);
    send(res, 200, { access_token: accessToken, instance_url: url, id: `${url}/id/${orgId}/${userId}`, token_type: "Bearer", issued_at: String(Date.now()), signature: randomBytes(32).toString("base64") });
  }

  function upsert(res: ServerResponse, version: string, type: string, field: string, value: string, body: string): void {
    const object = OBJECTS[type]!;
    if (!object.externalIds.includes(field)) return sendError(res, apiError(404, "NOT_FOUND", "The requested resource does not exist"));
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body || "{}") as Record<string, unknown>;
    } catch {
      return sendError(res, apiError(400, "JSON_PARSER_ERROR", "The request body is not valid JSON"));
    }
    for (const name of Object.keys(input)) {
      if (!object.fields.includes(name)) return sendError(res, apiError(400, "INVALID_FIELD", `No such column '${name}' on sobject of type ${type}`));
    }
    if (field in input && input[field] !== value) return sendError(res, apiError(400, "INVALID_FIELD", `The external id in the body does not match the URL`));
    if (typeof input.AccountId === "string" && !store.get("Account")!.has(input.AccountId)) {
      return sendError(res, apiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"));
    }
    const records = store.get(type)!;
    const matches = [...records.values()].filter((r) => r[field] === value);
    if (matches.length > 1) return send(res, 300, matches.map((r) => `/services/data/v${version}/sobjects/${type}/${String(r.Id)}`));
    const newer = Number(version) >= 46;
    const existing = matches[0];
    if (existing) {
      Object.assign(existing, input);
      if (newer) return send(res, 200, { id: existing.Id, success: true, errors: [], created: false });
      return send(res, 204);
    }
    const missing = object.required.filter((f) => input[f] === undefined || input[f] === null || input[f] === "");
    if (missing.length) return sendError(res, apiError(400, "REQUIRED_FIELD_MISSING", `Required fields are missing: [${missing.join(", ")}]`));
    const id = newId(object.prefix);
    records.set(id, { Id: id, ...input, [field]: value });
    send(res, 201, { id, success: true, errors: [], ...(newer ? { created: true } : {}) });
  }

  function query(res: ServerResponse, version: string, soql: string): void {
    const m = /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(\w+)\s*=\s*'((?:[^'\\]|\\.)*)')?\s*(?:LIMIT\s+(\d+))?\s*$/i.exec(soql);
    if (!m) return sendError(res, apiError(400, "MALFORMED_QUERY", "The stand-in understands SELECT fields FROM Type [WHERE field = 'value'] [LIMIT n] only"));
    const [, list, type, whereField, whereValue, limit] = m;
    const records = store.get(type!);
    if (!records) return sendError(res, apiError(400, "INVALID_TYPE", `sObject type '${type}' is not supported.`));
    const fields = list!.split(",").map((f) => f.trim());
    let rows = [...records.values()].filter((r) => !whereField || r[whereField] === whereValue!.replace(/\\(.)/g, "$1"));
    if (limit) rows = rows.slice(0, Number(limit));
    send(res, 200, { totalSize: rows.length, done: true, records: rows.map((r) => withAttributes(type!, version, r, fields)) });
  }

  function data(req: IncomingMessage, res: ServerResponse, path: string, search: URLSearchParams, body: string): void {
    if (path === "/services/data" || path === "/services/data/") {
      return send(res, 200, VERSIONS.map((v) => ({ label: `v${v}`, url: `/services/data/v${v}`, version: v })));
    }
    const m = /^\/services\/data\/v(\d+\.\d)\/(.*)$/.exec(path);
    if (!m) return sendError(res, apiError(404, "NOT_FOUND", "The requested resource does not exist"));
    const [, version, rest] = m as unknown as [string, string, string];
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ") || !tokens.has(auth.slice(7))) return sendError(res, apiError(401, "INVALID_SESSION_ID", "Session expired or invalid"));
    if (failures > 0) {
      failures -= 1;
      return sendError(res, apiError(failureStatus, "SERVER_UNAVAILABLE", "The CRM stand-in is unavailable (failure injected by the test)"));
    }
    if (rest === "query" || rest === "query/") {
      if (req.method !== "GET") return sendError(res, apiError(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed"));
      return query(res, version, search.get("q") ?? "");
    }
    const parts = rest.split("/").map(decodeURIComponent);
    if (parts[0] !== "sobjects" || !parts[1] || !OBJECTS[parts[1]]) return sendError(res, apiError(404, "NOT_FOUND", "The requested resource does not exist"));
    const type = parts[1];
    if (req.method === "PATCH" && parts.length === 4) return upsert(res, version, type, parts[2]!, parts[3]!, body);
    if (req.method === "GET" && (parts.length === 3 || parts.length === 4)) {
      const records = store.get(type)!;
      const found = parts.length === 3 ? records.get(parts[2]!) : [...records.values()].find((r) => r[parts[2]!] === parts[3]);
      if (!found || (parts.length === 3 && typeOfId(parts[2]!) !== type)) return sendError(res, apiError(404, "NOT_FOUND", "The requested resource does not exist"));
      const fields = search.get("fields")?.split(",").map((f) => f.trim());
      return send(res, 200, withAttributes(type, version, found, fields));
    }
    sendError(res, apiError(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed"));
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const parsed = new URL(req.url ?? "/", "http://127.0.0.1");
      res.on("finish", () => requests.push({ method: req.method ?? "GET", path: parsed.pathname, status: res.statusCode }));
      const answer = () => {
        try {
          if (parsed.pathname === "/services/oauth2/token" && req.method === "POST") return token(res, body, stand.url);
          if (parsed.pathname.startsWith("/services/data")) return data(req, res, parsed.pathname, parsed.searchParams, body);
          sendError(res, apiError(404, "NOT_FOUND", "The requested resource does not exist"));
        } catch (error) {
          sendError(res, apiError(500, "UNKNOWN_EXCEPTION", (error as Error).message));
        }
      };
      if (latencyMs > 0) setTimeout(answer, latencyMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const stand: CrmStandIn = {
    url: `http://127.0.0.1:${port}`,
    requests,
    records: (type) => [...store.get(type)!.values()].map((r) => ({ ...r }) as CrmRecord),
    failNext(count, status = 503) {
      failures = count;
      failureStatus = status;
    },
    expireSessions: () => tokens.clear(),
    setLatency(ms) {
      latencyMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return stand;
}
