import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/dist/**", "**/dist-fanout/**", "**/.next/**", "**/.next-*/**", "**/.open-next/**", ".sst/**", ".tandem/**", "**/next-env.d.ts", "**/sst-env.d.ts", ".sst.config.*", "artifacts/**", "apps/web/public/pdfjs-express/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly", fetch: "readonly", AbortSignal: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", performance: "readonly", Buffer: "readonly", NodeJS: "readonly", Response: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-imports": "off",
    },
  },
  {
    // Core is framework-free: no Express, Lambda or Next.js in the domain.
    files: ["packages/core/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["express", "express/*", "next", "next/*", "aws-lambda", "serverless-http", "@tandem/api", "@tandem/api/*"] }],
    },
  },
  {
    // process.env is read in one config module per package; everything else receives values.
    files: ["packages/core/src/**/*.ts", "packages/client/src/**/*.ts"],
    rules: { "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read the environment in the package's config module and pass values in." }] },
  },
);
