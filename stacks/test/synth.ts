import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SETTINGS } from "@tandem/core/config";
import { Template } from "aws-cdk-lib/assertions";
import { App, getStack, type Api as SstApi } from "sst/constructs";
import { initProject } from "sst/project.js";
import { Api, Email, Events, Jobs, Live, Migrations, Monitoring, Network, Secrets, Storage, tandemStacks, Web } from "../index.js";
import { writeOpenNextFixture } from "./open-next-fixture.js";
import { MONOREPO_PATHS } from "../../sst.config.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ACCOUNT = "123456789012";
const cdkContext = JSON.parse(readFileSync(path.join(ROOT, "cdk.context.json"), "utf8")) as Record<string, unknown>;
const webFixture = writeOpenNextFixture();

export interface Synthesized {
  /** The housekeeping job's runtime, as the function is built (the template holds a placeholder). */
  jobRuntime(): string | undefined;
  template(stack: keyof typeof STACKS): Template;
  /** The fan-out service's build settings (the image is built by `sst deploy`, not in the template). */
  fanOutBuild(): { cacheFrom?: Array<{ type: string; params?: Record<string, string> }>; cacheTo?: { type: string; params?: Record<string, string> } } | undefined;
  /** Runtime the API function is deployed with. */
  apiRuntime(): string | undefined;
  /** Whether CloudFormation deploys `stack` after `other`. */
  dependsOn(stack: keyof typeof STACKS, other: keyof typeof STACKS): boolean;
}

const STACKS = { Secrets, Network, Storage, Email, Events, Migrations, Live, Api, Jobs, Web, Monitoring };

/** Synthesizes the whole app for a stage with the given stage variables, offline. */
export async function synthesize(stage: string, variables: Record<string, string>): Promise<Synthesized> {
  for (const s of SETTINGS) delete process.env[s.name];
  Object.assign(process.env, variables, { TANDEM_WEB_PATH: webFixture });
  await initProject({ stage, root: ROOT });
  // Look-ups (hosted zones, VPCs) are answered from cdk.context.json, as in a real build.
  const app = new App({ mode: "deploy", stage, name: "tandem", region: "us-east-1", account: ACCOUNT }, { context: cdkContext });
  tandemStacks(app, { paths: MONOREPO_PATHS });
  const templates = new Map<string, Template>();
  return {
    apiRuntime() {
      const api = getStack(Api).node.findChild("Api") as SstApi;
      // `props` is not public in SST's typings, but it is what the function is built from.
      return (api.getFunction("$default") as unknown as { props: { runtime?: string } } | undefined)?.props.runtime;
    },
    dependsOn(stack, other) {
      return getStack(STACKS[stack]).dependencies.includes(getStack(STACKS[other]));
    },
    fanOutBuild() {
      const service = getStack(Live).node.findChild("SubscriberFanOut") as unknown as { props: { build?: ReturnType<Synthesized["fanOutBuild"]> } };
      return service.props.build;
    },
    jobRuntime() {
      const cron = getStack(Jobs).node.findChild("Housekeeping") as unknown as { jobFunction: { props: { runtime?: string } } };
      return cron.jobFunction.props.runtime;
    },
    template(name) {
      let t = templates.get(name);
      if (!t) {
        t = Template.fromStack(getStack(STACKS[name]));
        templates.set(name, t);
      }
      return t;
    },
  };
}
