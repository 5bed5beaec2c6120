import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/errors/index.js";
import { loadRuntimeConfig, loadStageSettings, SECRET_NAMES, VARIABLE_NAMES } from "../src/config/index.js";

const secrets = {
  MONGODB_URI: "mongodb://db.internal:27017/tandem-%stage%",
  SESSION_SECRET: "s".repeat(40),
  JWT_SECRET: "j".repeat(40),
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("stage settings", () => {
  it("serves a PR stage at app.pr<N>.<PREVIEW_DOMAIN> with the preview domain's zone", () => {
    const s = loadStageSettings({ SEED_STAGE_NAME: "pr42", PREVIEW_DOMAIN: "preview.example.com", SERVER_DOMAIN: "example.com" });
    expect(s.kind).toBe("preview");
    expect(s.pullRequest).toBe(42);
    expect(s.siteDomain).toBe("app.pr42.preview.example.com");
    expect(s.hostedZone).toBe("preview.example.com");
    expect(s.retainData).toBe(false);
  });

  it("serves production and dev at app.<SERVER_DOMAIN>, in HOSTED_ZONE when given", () => {
    const prod = loadStageSettings({ SST_STAGE: "production", SERVER_DOMAIN: "tandem.acme.com", HOSTED_ZONE: "acme.com" });
    expect(prod.siteDomain).toBe("app.tandem.acme.com");
    expect(prod.hostedZone).toBe("acme.com");
    expect(prod.retainData).toBe(true);
    const dev = loadStageSettings({ SST_STAGE: "dev", SERVER_DOMAIN: "dev.acme.com" });
    expect(dev.siteDomain).toBe("app.dev.acme.com");
    expect(dev.hostedZone).toBe("dev.acme.com");
  });

  it("prefers SST's stage over Seed's and defaults to local", () => {
    expect(loadStageSettings({ SST_STAGE: "dev", SEED_STAGE_NAME: "pr1" }).stage).toBe("dev");
    expect(loadStageSettings({}).kind).toBe("local");
    expect(loadStageSettings({ SST_STAGE: "alice" }).kind).toBe("personal");
  });

  it("reads the switches, imported buckets and VPC", () => {
    const s = loadStageSettings({
      SST_STAGE: "dev",
      ENABLE_BUCKET_VERSIONING: "TRUE",
      ENABLE_WARMING: "false",
      VPC_ID: "vpc-0abc1234def567890",
      FAB_FILES_BUCKET_NAME: "acme-knowledge",
      CI: "true",
    });
    expect(s.bucketVersioning).toBe(true);
    expect(s.warming).toBe(false);
    expect(s.vpcId).toBe("vpc-0abc1234def567890");
    expect(s.buckets).toEqual({ knowledgeFiles: "acme-knowledge", generatedImages: undefined, appFiles: undefined });
    expect(s.ci).toBe(true);
  });

  it("names every malformed variable with its purpose and where to set it", () => {
    const error = configError(() =>
      loadStageSettings({ SST_STAGE: "dev", VPC_ID: "my-vpc", ENABLE_WARMING: "sometimes", SERVER_DOMAIN: "https://acme.com/" }),
    );
    expect(error.issues.map((i) => i.name).sort()).toEqual(["ENABLE_WARMING", "SERVER_DOMAIN", "VPC_ID"]);
    expect(error.message).toContain('The stage settings of stage "dev" are not valid');
    expect(error.message).toMatch(/VPC_ID must be a VPC id.*existing VPC.*\.env\.dev/);
  });

  it("refuses a hosted zone that does not hold the site", () => {
    const error = configError(() => loadStageSettings({ SST_STAGE: "dev", SERVER_DOMAIN: "acme.com", HOSTED_ZONE: "other.org" }));
    expect(error.issues[0]?.name).toBe("HOSTED_ZONE");
  });
});

describe("runtime secrets", () => {
  it("fails for a missing MONGODB_URI with the secret's name and the command to set it", () => {
    const error = configError(() => loadRuntimeConfig({ SST_STAGE: "dev", SESSION_SECRET: secrets.SESSION_SECRET, JWT_SECRET: secrets.JWT_SECRET }));
    expect(error.issues.map((i) => i.name)).toEqual(["MONGODB_URI"]);
    expect(error.message).toContain("MONGODB_URI is missing");
    expect(error.message).toContain('pnpm sst secrets set MONGODB_URI "mongodb://');
    expect(error.message).toContain("--stage dev");
  });

  it("replaces %stage% in MONGODB_URI", () => {
    const config = loadRuntimeConfig({ ...secrets, SST_STAGE: "pr7" });
    expect(config.mongodbUri).toBe("mongodb://db.internal:27017/tandem-pr7");
  });

  it("refuses short signing secrets and malformed Stripe keys", () => {
    const error = configError(() =>
      loadRuntimeConfig({
        ...secrets,
        JWT_SECRET: "short",
        STRIPE_SECRET_KEY: "pk_test_123",
        STRIPE_PUBLISHABLE_KEY: "pk_test_123",
        STRIPE_WEBHOOK_SECRET: "whsec_1",
      }),
    );
    expect(error.issues.map((i) => i.name)).toEqual(["JWT_SECRET", "STRIPE_SECRET_KEY"]);
    expect(error.message).toContain("openssl rand");
  });

  it("keeps integrations off unless all their values are set, and says which is missing", () => {
    const off = loadRuntimeConfig({ ...secrets, GOOGLE_CLIENT_ID: "id.apps.googleusercontent.com" });
    expect(off.google).toBeUndefined();
    expect(off.warnings).toEqual([expect.stringContaining("GOOGLE_CLIENT_SECRET is not")]);
    const on = loadRuntimeConfig({
      ...secrets,
      GOOGLE_CLIENT_ID: "id",
      GOOGLE_CLIENT_SECRET: "secret",
      MAIL_HOST: "email-smtp.us-east-1.amazonaws.com",
      MAIL_PORT: "587",
      MAIL_USERNAME: "AKIA",
      MAIL_PASSWORD: "pw",
      MAIL_FROM: "Tandem <no-reply@acme.com>",
    });
    expect(on.google).toEqual({ clientId: "id", clientSecret: "secret" });
    expect(on.mail.smtp).toEqual({ host: "email-smtp.us-east-1.amazonaws.com", port: 587, username: "AKIA", password: "pw" });
    expect(on.mail.supportEmail).toBe("Tandem <no-reply@acme.com>");
    expect(on.github).toBeUndefined();
    expect(on.warnings).toEqual([]);
  });

  it("covers every variable and secret of seed 000", () => {
    expect(VARIABLE_NAMES).toEqual(expect.arrayContaining(["SERVER_DOMAIN", "PREVIEW_DOMAIN", "HOSTED_ZONE", "APP_CERT_ARN", "VPC_ID", "FAB_FILES_BUCKET_NAME", "GENERATED_IMAGES_BUCKET_NAME", "APP_FILES_BUCKET_NAME", "ENABLE_BUCKET_VERSIONING", "ENABLE_WARMING", "ECR_CACHE_REPO", "SEED_APP_NAME", "SEED_STAGE_NAME", "CI"]));
    // Seed 000's 27 secrets, and Tandem's own: the model catalog, the audit log's retention, the operators' sign-in.
    expect(SECRET_NAMES).toHaveLength(30);
    expect(SECRET_NAMES).toEqual(expect.arrayContaining(["BEDROCK_MODELS", "AUDIT_RETENTION_DAYS", "OPERATOR_SIGN_IN"]));
  });
});
