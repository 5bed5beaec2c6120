import type { SSTConfig } from "sst";
import { tandemStacks } from "./stacks/index.js";

export default {
  config() {
    return {
      // One installation per AWS account: Seed's app name keeps stacks and SSM paths apart.
      name: process.env.SEED_APP_NAME ?? "tandem",
      region: process.env.AWS_REGION ?? "us-east-1",
    };
  },
  stacks(app) {
    tandemStacks(app);
  },
} satisfies SSTConfig;
