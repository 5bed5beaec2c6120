import { readBody, sendJson, serveOnLoopback, type StandInServer } from "./standin-http.js";

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

export type AccountLimitsStandIn = StandInServer;

const REGION = "us-east-1";
const ACCOUNT = "000000000000";
const JSON_11 = { contentType: "application/x-amz-json-1.1" };

export function startAccountLimitsStandIn(options: AccountLimitsStandInOptions): Promise<AccountLimitsStandIn> {
  return serveOnLoopback(async (req, res, requests) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const target = req.headers["x-amz-target"];
    if (req.method === "GET" && url.pathname === "/v2/email/account") {
      requests.push("sesv2:GetAccount");
      return sendJson(res, 200, {
        DedicatedIpAutoWarmupEnabled: false,
        EnforcementStatus: "HEALTHY",
        ProductionAccessEnabled: options.sesProductionAccess,
        SendingEnabled: true,
        SendQuota: options.sesProductionAccess ? { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 } : { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 },
      });
    }
    if (req.method === "POST" && typeof target === "string" && target.startsWith("ServiceQuotasV20190624.")) {
      const operation = target.slice("ServiceQuotasV20190624.".length);
      requests.push(`servicequotas:${operation}`);
      if (operation !== "GetServiceQuota" && operation !== "GetAWSDefaultServiceQuota") return sendJson(res, 400, { __type: "UnknownOperationException", message: `The stand-in does not implement ${operation}.` }, JSON_11);
      const input = JSON.parse((await readBody(req)) || "{}") as { ServiceCode?: string; QuotaCode?: string };
      const key = `${input.ServiceCode}/${input.QuotaCode}`;
      const value = operation === "GetServiceQuota" ? options.quotas[key] : (options.defaults?.[key] ?? options.quotas[key]);
      if (value === undefined) return sendJson(res, 400, { __type: "NoSuchResourceException", message: `The request failed because the specified service quota ${key} does not exist.` }, JSON_11);
      return sendJson(
        res,
        200,
        {
          Quota: {
            ServiceCode: input.ServiceCode,
            QuotaCode: input.QuotaCode,
            QuotaArn: `arn:aws:servicequotas:${REGION}:${ACCOUNT}:${input.ServiceCode}/${input.QuotaCode}`,
            Value: value,
            Unit: "None",
            Adjustable: true,
            GlobalQuota: input.ServiceCode === "iam",
          },
        },
        JSON_11,
      );
    }
    requests.push(`unknown:${req.method} ${url.pathname}`);
    return sendJson(res, 404, { message: `The stand-in does not implement ${req.method} ${url.pathname}.` }, { errorType: "UnknownOperationException" });
  });
}
