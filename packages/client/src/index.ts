import { HealthResponse, Problem } from "./contract/index.js";

export { HealthResponse, Problem } from "./contract/index.js";

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
}

export function createTandemClient(options: TandemClientOptions): TandemClient {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, "");

  async function request(path: string, accept: number[] = []): Promise<unknown> {
    let response: Response;
    try {
      const init = {
        headers: { accept: "application/json", ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
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
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok || accept.includes(response.status)) return body;
    const problem = Problem.safeParse(body);
    throw new TandemApiError(
      response.status,
      problem.success ? problem.data : undefined,
      problem.success ? problem.data.detail : `The Tandem API answered ${response.status} ${response.statusText}`,
    );
  }

  return {
    async health() {
      return HealthResponse.parse(await request("/api/health", [503]));
    },
  };
}
