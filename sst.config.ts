import type { SSTConfig } from "sst";
import { tandemStacks, type TandemPaths } from "./stacks/index.js";

/** This repository's layout; a customer repository keeps the defaults (web/, certs/). */
export const MONOREPO_PATHS: Partial<TandemPaths> = { web: "apps/web", documentDbCa: "packages/api/certs/global-bundle.pem" };

export default {
  config() {
    return {
      // One installation per AWS account: Seed's app name keeps stacks and SSM paths apart.
      name: process.env.SEED_APP_NAME ?? "tandem",
      region: process.env.AWS_REGION ?? "us-east-1",
    };
  },
  stacks(app) {
    tandemStacks(app, { paths: MONOREPO_PATHS });
  },
} satisfies SSTConfig;
