import type { App } from "sst/constructs";
import { Api } from "./api.js";
import { Secrets } from "./config.js";
import { Email } from "./email.js";
import { Events } from "./events.js";
import { Jobs } from "./jobs.js";
import { Live } from "./live.js";
import { Network } from "./network.js";
import { stageSettings } from "./settings.js";
import { Storage } from "./storage.js";
import { Web } from "./web.js";

export { Api, Email, Events, Jobs, Live, Network, Secrets, Storage, Web };

/** Wires every stack of a stage; sst.config.ts and the stack tests both call this. */
export function tandemStacks(app: App): void {
  const settings = stageSettings(app);
  // Production keeps its data when a stack or the stage is removed; other stages clean up.
  app.setDefaultRemovalPolicy(settings.retainData ? "retain" : "destroy");
  app.stack(Secrets).stack(Network).stack(Storage).stack(Email).stack(Events).stack(Live).stack(Api).stack(Jobs).stack(Web);
}
