import * as acm from "aws-cdk-lib/aws-certificatemanager";
import { NextjsSite, use, type StackContext } from "sst/constructs";
import { Api } from "./api.js";
import { stageSettings } from "./settings.js";

// Five warm server instances cover a typical organisation's burst of page loads at 9 am without
// paying for idle concurrency all day.
const WARM_INSTANCES = 5;

/** The Next.js web app on the stage's domain (CloudFront + Lambda through OpenNext). */
export function Web({ stack, app }: StackContext) {
  const settings = stageSettings(app);
  const { api, stream, proxyKey } = use(Api);

  const site = new NextjsSite(stack, "Web", {
    // The stack tests point this at a prebuilt fixture instead of running `next build`.
    path: process.env.TANDEM_WEB_PATH ?? "apps/web",
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
  });
  stack.addOutputs({ SiteUrl: site.customDomainUrl ?? site.url ?? "" });
  return { site };
}
