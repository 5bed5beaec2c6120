import type { SSTConfig } from "sst";
import { tandemStacks } from "@tandem/stacks";
import { AcmeExtras } from "./stacks/acme.js";

export default {
  config() {
    return {
      // Seed's app name keeps this installation's stacks and secrets apart.
      name: process.env.SEED_APP_NAME ?? "acme-tandem",
      region: process.env.AWS_REGION ?? "us-east-1",
    };
  },
  stacks(app) {
    // Tandem, with the web app `pnpm web` wrote into web/ (our name, logo and colour: brand.json).
    tandemStacks(app, { paths: { web: "web" } });
    // Ours: an extra route on Tandem's API, and a stack of our own.
    app.stack(AcmeExtras);
  },
} satisfies SSTConfig;
