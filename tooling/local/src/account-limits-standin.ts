import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for the two AWS APIs the deploy doctor reads account limits from and moto does not
 * serve: Service Quotas' GetServiceQuota / GetAWSDefaultServiceQuota (JSON 1.1) and SES v2's
 * GetAccount (REST), in their real wire formats, so the real SDK clients are exercised. The test
 * says what the "account" has: its quotas (by service and quota code) and whether SES is out of
 * the sandbox.
 */
export interface AccountLimitsStandInOptions {
  /** Applied values by `<service code>/<quota code>`, e.g. "lambda/L-B99A9384": 1000. */
  readonly quotas: Readonly<Record<string, number>>;
  /** AWS's defaults by the same key; GetServiceQuota answers NoSuchResource for a quota never adjusted. */
  readonly defaults?: Readonly<Record<string, number>>;
  readonly sesProductionAccess: boolean;
}

export interface AccountLimitsStandIn {
  readonly url: string;
  /** Every request's operation, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

const REGION = "us-east-1";
const ACCOUNT = "000000000000";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      if (body.length < 65_536) body += chunk;
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

export async function startAccountLimitsStandIn(options: AccountLimitsStandInOptions): Promise<AccountLimitsStandIn> {
  const requests: string[] = [];
  const send = (res: ServerResponse, status: number, body: unknown, contentType: string, type?: string) => {
    res.writeHead(status, { "content-type": contentType, ...(type ? { "x-amzn-errortype": type } : {}) });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://stand-in");
      const target = req.headers["x-amz-target"];
      if (req.method === "GET" && url.pathname === "/v2/email/account") {
        requests.push("sesv2:GetAccount");
        return send(res, 200, {
          DedicatedIpAutoWarmupEnabled: false,
          EnforcementStatus: "HEALTHY",
          ProductionAccessEnabled: options.sesProductionAccess,
          SendingEnabled: true,
          SendQuota: options.sesProductionAccess ? { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 } : { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 },
        }, "application/json");
      }
      if (req.method === "POST" && typeof target === "string" && target.startsWith("ServiceQuotasV20190624.")) {
        const operation = target.slice("ServiceQuotasV20190624.".length);
        requests.push(`servicequotas:${operation}`);
        const input = JSON.parse((await readBody(req)) || "{}") as { ServiceCode?: string; QuotaCode?: string };
        const key = `${input.ServiceCode}/${input.QuotaCode}`;
        const value = operation === "GetServiceQuota" ? options.quotas[key] : operation === "GetAWSDefaultServiceQuota" ? (options.defaults?.[key] ?? options.quotas[key]) : undefined;
        if (operation !== "GetServiceQuota" && operation !== "GetAWSDefaultServiceQuota") return send(res, 400, { __type: "UnknownOperationException", message: `The stand-in does not implement ${operation}.` }, "application/x-amz-json-1.1");
        if (value === undefined) return send(res, 400, { __type: "NoSuchResourceException", message: `The request failed because the specified service quota ${key} does not exist.` }, "application/x-amz-json-1.1");
        return send(res, 200, {
          Quota: {
            ServiceCode: input.ServiceCode,
            QuotaCode: input.QuotaCode,
            QuotaArn: `arn:aws:servicequotas:${REGION}:${ACCOUNT}:${input.ServiceCode}/${input.QuotaCode}`,
            Value: value,
            Unit: "None",
            Adjustable: true,
            GlobalQuota: input.ServiceCode === "iam",
          },
        }, "application/x-amz-json-1.1");
      }
      requests.push(`unknown:${req.method} ${url.pathname}`);
      return send(res, 404, { message: `The stand-in does not implement ${req.method} ${url.pathname}.` }, "application/json", "UnknownOperationException");
    })().catch((error: unknown) => send(res, 500, { message: String(error) }, "application/json", "InternalFailure"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
