import type {} from "./vitest-context.js";
import type { TestProject } from "vitest/node";
import { startLocalServices, type LocalServices } from "./services.js";

let services: LocalServices | undefined;

/** Starts the real servers the tests talk to: FerretDB and moto, on free loopback ports. */
export async function setup(project: TestProject): Promise<void> {
  services = await startLocalServices({ persistent: false, allowRealAws: false, bedrock: false });
  project.provide("mongodbUri", services.mongodbUri);
  const { MONGODB_URI: _uri, ...awsEnv } = services.env;
  project.provide("awsEnv", awsEnv);
}

export async function teardown(): Promise<void> {
  await services?.stop();
}
