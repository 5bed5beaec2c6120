import * as ec2 from "aws-cdk-lib/aws-ec2";
import type { Config, FunctionProps } from "sst/constructs";
import type { StageSettings } from "@tandem/core/config";

import { tandemPaths } from "./paths.js";

/** The site's address for links and the live-updates Origin check, when the stacks know it. */
export function appUrlEnvironment(settings: StageSettings): Record<string, string> {
  // Without a custom domain the CloudFront address is only known after the web stack, which
  // depends on these; set APP_URL then.
  return settings.siteDomain ? { APP_URL: `https://${settings.siteDomain}` } : process.env.APP_URL ? { APP_URL: process.env.APP_URL } : {};
}

/** What every function reaching the database shares: Node 20, the VPC's private subnets, the stage's secrets. */
export function databaseFunctionProps(options: { settings: StageSettings; stage: string; vpc: ec2.IVpc; secrets: Config.Secret[] }): FunctionProps {
  // Amazon's CA bundle for DocumentDB TLS, when the operator has put it in the repository (docs/documentdb.md).
  const ca = tandemPaths().documentDbCa;
  return {
    runtime: "nodejs20.x",
    // Inside the VPC's private subnets to reach DocumentDB; the NAT gateway gives egress.
    vpc: options.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    // API Gateway stops waiting after 30 s, so a longer timeout would only hide hangs.
    timeout: 29,
    // mongoose, the AWS SDK and Express start in about 1 s at 1 GB; less memory means
    // proportionally less CPU and slower cold starts.
    memorySize: 1024,
    bind: [...options.secrets],
    environment: {
      TANDEM_VERSION: process.env.TANDEM_VERSION ?? options.stage,
      SEED_APP_NAME: options.settings.app,
      ...(process.env.SERVER_DOMAIN ? { SERVER_DOMAIN: process.env.SERVER_DOMAIN } : {}),
      ...appUrlEnvironment(options.settings),
      ...(ca ? { MONGODB_TLS_CA_FILE: "/var/task/certs/global-bundle.pem" } : {}),
    },
    copyFiles: ca ? [{ from: ca, to: "certs/global-bundle.pem" }] : [],
    // Installed beside the bundle instead of bundled: swagger-ui-dist serves the /api-docs
    // assets from its own folder; @node-rs/argon2 loads a native binary for the platform.
    // Minified: a smaller bundle loads faster on a cold start (13.6 MB -> 6.6 MB; the API's
    // functions are 3.9 MB since only the jobs consumer holds the extractors: pnpm bench:cold-start).
    nodejs: { format: "esm", sourcemap: true, minify: true, install: ["swagger-ui-dist", "@node-rs/argon2"] },
  };
}
