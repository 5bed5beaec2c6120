// What the test run's global setup (vitest-global-setup.ts) provides to every test file.
import type {} from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URI of the test database server (FerretDB unless MONGODB_URI is set). */
    mongodbUri: string;
    /** Environment pointing the AWS SDK at moto (empty when AWS_ENDPOINT_URL is given). */
    awsEnv: Record<string, string>;
  }
}
