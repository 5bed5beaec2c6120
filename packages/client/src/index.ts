import {
  ApiKeysResponse,
  AuditPage,
  type AuditQuery,
  HealthResponse,
  InviteCreatedResponse,
  InvitesResponse,
  MeResponse,
  MembersResponse,
  OrganisationResponse,
  OrganisationsResponse,
  Problem,
  type ApiKey,
  type Invite,
  type Member,
  type Organisation,
  type Role,
} from "./contract/index.js";

export * from "./contract/index.js";

/** An error answer of the API, with its problem details. */
export class TandemApiError extends Error {
  override readonly name = "TandemApiError";
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface TandemClientOptions {
  /** Base address of the API, e.g. https://api.example.com or http://127.0.0.1:4000. */
  readonly baseUrl: string;
  /** Personal API key or access token, sent as a bearer token. */
  readonly token?: string;
  readonly fetch?: typeof fetch;
  /** Gives up on a request after this long. */
  readonly timeoutMs?: number;
}

export interface TandemClient {
  /** The API's health; resolves with the body for 200 and 503 alike, so callers can show why. */
  health(): Promise<HealthResponse>;
  /** Who the token or API key belongs to, and its organisations. */
  me(): Promise<MeResponse>;
  organisations(): Promise<Organisation[]>;
  organisation(orgId: string): Promise<Organisation>;
  members(orgId: string): Promise<Member[]>;
  invites(orgId: string): Promise<Invite[]>;
  /** Invites an address by mail (needs an admin's key with the write scope). */
  invite(orgId: string, email: string, role?: Role): Promise<{ invite: Invite; mailSent: boolean }>;
  apiKeys(orgId: string): Promise<ApiKey[]>;
  /** A page of the organisation's audit log, newest first (an owner's or admin's key). */
  audit(orgId: string, query?: AuditQuery): Promise<AuditPage>;
}

export function createTandemClient(options: TandemClientOptions): TandemClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, "");

  async function request(path: string, accept: number[] = [], method = "GET", body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      const init = {
        method,
        headers: {
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        // API answers are live data; Next.js would otherwise cache server-side fetches.
        // (`cache` is standard fetch, missing only from Node's RequestInit typings.)
        cache: "no-store",
      } as RequestInit;
      response = await doFetch(`${base}${path}`, init);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TandemApiError(0, undefined, `Could not reach the Tandem API at ${base}: ${reason}. Check that it is running and the address is right.`);
    }
    const answer: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    if (response.ok || accept.includes(response.status)) return answer;
    const problem = Problem.safeParse(answer);
    throw new TandemApiError(
      response.status,
      problem.success ? problem.data : undefined,
      problem.success ? problem.data.detail : `The Tandem API answered ${response.status} ${response.statusText}`,
    );
  }

  const org = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}`;
  return {
    async health() {
      return HealthResponse.parse(await request("/api/health", [503]));
    },
    async me() {
      return MeResponse.parse(await request("/api/me"));
    },
    async organisations() {
      return OrganisationsResponse.parse(await request("/api/orgs")).organisations;
    },
    async organisation(orgId) {
      return OrganisationResponse.parse(await request(org(orgId))).organisation;
    },
    async members(orgId) {
      return MembersResponse.parse(await request(`${org(orgId)}/members`)).members;
    },
    async invites(orgId) {
      return InvitesResponse.parse(await request(`${org(orgId)}/invites`)).invites;
    },
    async invite(orgId, email, role) {
      return InviteCreatedResponse.parse(await request(`${org(orgId)}/invites`, [], "POST", { email, role }));
    },
    async apiKeys(orgId) {
      return ApiKeysResponse.parse(await request(`${org(orgId)}/api-keys`)).apiKeys;
    },
    async audit(orgId, query = {}) {
      const params = new URLSearchParams(Object.entries(query).flatMap(([k, v]): Array<[string, string]> => (v === undefined ? [] : [[k, String(v)]])));
      const search = params.size ? `?${params}` : "";
      return AuditPage.parse(await request(`${org(orgId)}/audit${search}`));
    },
  };
}
