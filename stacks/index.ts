import { Aspects } from "aws-cdk-lib";
import type { App } from "sst/constructs";
import { Api } from "./api.js";
import { Secrets } from "./config.js";
import { Email } from "./email.js";
import { Events } from "./events.js";
import { Jobs } from "./jobs.js";
import { Live } from "./live.js";
import { Migrations } from "./migrations.js";
import { Monitoring } from "./monitoring.js";
import { Network } from "./network.js";
import { configurePaths, type TandemPaths } from "./paths.js";
import { LogRetentionPolicy, logRetentionOf, stageSettings } from "./settings.js";
import { Storage } from "./storage.js";
import { Web } from "./web.js";

export { Api, Email, Events, Jobs, Live, Migrations, Monitoring, Network, Secrets, Storage, Web };

export { apiHandler, configurePaths, tandemPaths, type TandemPaths } from "./paths.js";
export { stageSettings } from "./settings.js";

export interface TandemStacksOptions {
  /** Where the web app and the DocumentDB CA bundle are, when not where tandemPaths() looks. */
  readonly paths?: Partial<TandemPaths>;
}

/**
 * Wires every stack of a stage; sst.config.ts, a customer's sst.config.ts (templates/customer)
 * and the stack tests call this. A customer adds its own stacks after it, and reaches Tandem's
 * through `use(Api)` and the others (an extra route on Tandem's API: `use(Api).api.addRoutes`).
 */
export function tandemStacks(app: App, options: TandemStacksOptions = {}): void {
  configurePaths(options.paths ?? {});
  const settings = stageSettings(app);
  // Production keeps its data when a stack or the stage is removed; other stages clean up.
  app.setDefaultRemovalPolicy(settings.retainData ? "retain" : "destroy");
  // Every log group: a year in production, two weeks elsewhere. Functions get a retention (before
  // any stack is made); the aspect then sets it on every log group, SST's own included.
  const retention = logRetentionOf(settings);
  app.setDefaultFunctionProps({ logRetention: retention.name });
  Aspects.of(app).add(new LogRetentionPolicy(retention.days));
  app.stack(Secrets).stack(Network).stack(Storage).stack(Email).stack(Events).stack(Migrations).stack(Live).stack(Api).stack(Jobs).stack(Web).stack(Monitoring);
}
