// The test setup's provided values (tooling/local/src/vitest-context.d.ts), declared again for the
// web app's own copy of vitest: pnpm resolves it with other peers, so it is another module.
import type {} from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    mongodbUri: string;
    awsEnv: Record<string, string>;
  }
}
