// The values the test setup provides (tooling/local/src/vitest-global-setup.ts), declared against this package's own vitest, whichever copy pnpm resolves.
import type {} from "vitest";
declare module "vitest" {
  export interface ProvidedContext { mongodbUri: string; awsEnv: Record<string, string> }
}
