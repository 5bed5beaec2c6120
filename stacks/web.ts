import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as wafv2 from "aws-cdk-lib/aws-wafv2";
import { NextjsSite, use, type StackContext } from "sst/constructs";
import { Api } from "./api.js";
import { tandemPaths } from "./paths.js";
import { stageSettings } from "./settings.js";

// Five warm server instances cover a typical organisation's burst of page loads at 9 am without
// paying for idle concurrency all day.
const WARM_INSTANCES = 5;

/** The Next.js web app on the stage's domain (CloudFront + Lambda through OpenNext). */
export function Web({ stack, app }: StackContext) {
  const settings = stageSettings(app);
  const { api, stream, proxyKey } = use(Api);
  const firewall = settings.wafRateLimit ? siteFirewall(stack, app.region, settings.wafRateLimit) : undefined;

  const site = new NextjsSite(stack, "Web", {
    // apps/web here; a customer's prepared copy (templates/customer); the stack tests point
    // TANDEM_WEB_PATH at a prebuilt fixture instead of running `next build`.
    path: tandemPaths().web,
    runtime: "nodejs20.x",
    // The proxy sends streamed replies to the streaming function URL, everything else to the HTTP API.
    environment: { TANDEM_API_URL: api.url, TANDEM_STREAM_URL: stream.url ?? "", TANDEM_PROXY_KEY: proxyKey },
    warm: settings.warming ? WARM_INSTANCES : undefined,
    customDomain: settings.siteDomain
      ? {
          domainName: settings.siteDomain,
          hostedZone: settings.hostedZone,
          cdk: settings.certificateArn
            ? { certificate: acm.Certificate.fromCertificateArn(stack, "SiteCertificate", settings.certificateArn) }
            : undefined,
        }
      : undefined,
    cdk: firewall ? { distribution: { webAclId: firewall.attrArn } } : undefined,
  });
  stack.addOutputs({ SiteUrl: site.customDomainUrl ?? site.url ?? "", ...(firewall ? { FirewallArn: firewall.attrArn } : {}) });
  return { site, firewall };
}

/**
 * WAF_RATE_LIMIT: AWS WAF in front of the site's CloudFront distribution, blocking (HTTP 403) an
 * address that sent more than `limit` requests in the last 5 minutes, until it slows down.
 * CloudFront takes only firewalls made in us-east-1.
 */
function siteFirewall(stack: StackContext["stack"], region: string, limit: number): wafv2.CfnWebACL {
  if (region !== "us-east-1") {
    throw new Error(`WAF_RATE_LIMIT is set, but the stage deploys to ${region}: CloudFront only takes firewalls made in us-east-1. Deploy the stage in us-east-1 (AWS_REGION=us-east-1), or unset WAF_RATE_LIMIT.`);
  }
  const visibility = (name: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name });
  return new wafv2.CfnWebACL(stack, "SiteFirewall", {
    scope: "CLOUDFRONT",
    defaultAction: { allow: {} },
    visibilityConfig: visibility(`${stack.stackName}-site`),
    rules: [
      {
        name: "rate-per-address",
        priority: 0,
        action: { block: {} },
        statement: { rateBasedStatement: { limit, aggregateKeyType: "IP" } },
        visibilityConfig: visibility(`${stack.stackName}-rate`),
      },
    ],
  });
}
