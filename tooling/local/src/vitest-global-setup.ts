import type { TestProject } from "vitest/node";
import { startLocalServices, type LocalServices } from "./services.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URI of the test database server (FerretDB unless MONGODB_URI is set). */
    mongodbUri: string;
    /** Environment pointing the AWS SDK at moto (empty when AWS_ENDPOINT_URL is given). */
    awsEnv: Record<string, string>;
  }
}

let services: LocalServices | undefined;

/** Starts the real servers the tests talk to: FerretDB and moto, on free loopback ports. */
export async function setup(project: TestProject): Promise<void> {
  services = await startLocalServices({ persistent: false, allowRealAws: false });
  project.provide("mongodbUri", services.mongodbUri);
  const { MONGODB_URI: _uri, ...awsEnv } = services.env;
  project.provide("awsEnv", awsEnv);
}

export async function teardown(): Promise<void> {
  await services?.stop();
}
