// Synthesizes a customer repository's SST app offline, as `sst build` would, and prints what each
// stack holds. Copied into the customer repository by customer-repository.test.ts and run there,
// so every import resolves from the customer's own node_modules (the installed @tandem/* packages).
import { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { App, Function as SstFunction } from "sst/constructs";
import type { IConstruct } from "constructs";
import { initProject } from "sst/project.js";

const stage = process.argv[2] ?? "dev";
const { default: config } = await import(`${process.cwd()}/sst.config.ts`);
await initProject({ stage, root: process.cwd() });
const app = new App({ mode: "deploy", stage, name: config.config({}).name, region: "us-east-1", account: "123456789012" });
config.stacks(app);
const stacks: Record<string, { resources: Record<string, number>; routes: string[]; handlers: string[]; retained: number }> = {};
for (const child of app.node.children) {
  if (!(child instanceof Stack)) continue;
  const template = Template.fromStack(child).toJSON() as { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }> };
  const resources: Record<string, number> = {};
  const routes: string[] = [];
  let retained = 0;
  for (const r of Object.values(template.Resources ?? {})) {
    resources[r.Type] = (resources[r.Type] ?? 0) + 1;
    if (r.Type === "AWS::ApiGatewayV2::Route") routes.push(String(r.Properties?.RouteKey));
    if (r.DeletionPolicy === "Retain") retained++;
  }
  // The handlers of the stack's functions, as SST will bundle them (the template holds placeholders).
  const handlers = child.node.findAll().filter((c: IConstruct): c is SstFunction => c instanceof SstFunction).map((f) => String((f as unknown as { props: { handler?: string } }).props.handler));
  stacks[child.node.id] = { resources, routes, handlers, retained };
}
process.stdout.write(`SYNTH ${JSON.stringify(stacks)}\n`);
