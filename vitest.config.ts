import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "stacks/test/**/*.test.ts", "tooling/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts"],
    globalSetup: ["tooling/local/src/vitest-global-setup.ts"],
    // Stack synthesis and server start-up are slow on two cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Node 20 is still supported by the SDK versions in the lockfile; its notice about later versions is noise here.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
