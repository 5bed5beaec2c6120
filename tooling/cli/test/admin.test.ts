import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { isOperator } from "@tandem/core/control-plane";
import { closeConnection, getConnection } from "@tandem/core/database";
import { userModel } from "@tandem/core/identity";
import { startMailCatcher, type MailCatcher } from "@tandem/local";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminCreate } from "../src/admin.js";

/** `pnpm tandem admin create --email`: the first operator, with a mailed set-password link. */
let mail: MailCatcher;
const database = `${inject("mongodbUri")}/cli-admin-test`;

beforeAll(async () => {
  mail = await startMailCatcher();
  const connection = await getConnection({ uri: database });
  await connection.dropDatabase();
  await closeConnection();
});
afterAll(() => mail.close());

describe("pnpm tandem admin create", () => {
  it("makes the address an operator and mails the link to choose a password; a second run adds no account", async () => {
    const env = { MONGODB_URI: database, APP_URL: "http://app.tandem.test", MAIL_HOST: "127.0.0.1", MAIL_PORT: String(mail.port), MAIL_USERNAME: "mailer", MAIL_PASSWORD: "pw", MAIL_FROM: "Tandem <no-reply@tandem.test>" };
    const first = await adminCreate(["--email", "Ops@Example.com"], env);
    expect(first).toMatchObject({ created: true, mailed: true });
    expect(first.url).toMatch(/^http:\/\/app\.tandem\.test\/reset-password\?token=/);
    const message = await mail.waitFor("ops@example.com", 0);
    expect(message.subject).toBe("You are an operator of Tandem");
    expect(message.text).toContain(first.url);
    const second = await adminCreate(["--email", "ops@example.com"], env);
    expect(second.created).toBe(false);
    const connection = await getConnection({ uri: database });
    const users = await userModel(connection).find({ email: "ops@example.com" }).lean();
    expect(users).toHaveLength(1);
    expect(await isOperator(connection, String(users[0]!._id))).toBe(true);
    await closeConnection();
  });

  it("says what is missing", async () => {
    await expect(adminCreate([], { MONGODB_URI: database })).rejects.toThrow(/--email/);
    await expect(adminCreate(["--email", "a@b.co", "--stage"], { MONGODB_URI: database })).rejects.toThrow(/Name the stage/);
  });

  it("with --stage, reads the stage's database and mail from its SSM secrets and links to its site", async () => {
    const aws = inject("awsEnv");
    const app = `tandem-admin-test-${Date.now()}`;
    const env = { ...aws, SEED_APP_NAME: app, SERVER_DOMAIN: "staging.example.com" } as NodeJS.ProcessEnv;
    const ssm = new SSMClient({ region: aws.AWS_REGION ?? "us-east-1", endpoint: aws.AWS_ENDPOINT_URL, credentials: { accessKeyId: aws.AWS_ACCESS_KEY_ID!, secretAccessKey: aws.AWS_SECRET_ACCESS_KEY! } });
    const put = (name: string, value: string) => ssm.send(new PutParameterCommand({ Name: `/sst/${app}/staging/Secret/${name}/value`, Value: value, Type: "SecureString", Overwrite: true }));
    // A stage without its database secret: named, with the command that sets it.
    const saved = { ...process.env };
    Object.assign(process.env, aws);
    try {
      await expect(adminCreate(["--email", "ops@staging.test", "--stage", "staging"], env)).rejects.toThrow(/no MONGODB_URI secret.*pnpm sst secrets set MONGODB_URI/);
      for (const [name, value] of Object.entries({ MONGODB_URI: database, SESSION_SECRET: "s".repeat(48), JWT_SECRET: "j".repeat(48), MAIL_HOST: "127.0.0.1", MAIL_PORT: String(mail.port), MAIL_USERNAME: "mailer", MAIL_PASSWORD: "pw", MAIL_FROM: "Tandem <no-reply@staging.example.com>" })) await put(name, value);
      const result = await adminCreate(["--email", "ops@staging.test", "--stage", "staging"], env);
      expect(result).toMatchObject({ created: true, mailed: true });
      expect(result.url).toMatch(/^https:\/\/app\.staging\.example\.com\/reset-password\?token=/);
      expect((await mail.waitFor("ops@staging.test", 0)).text).toContain(result.url);
      const connection = await getConnection({ uri: database });
      const user = await userModel(connection).findOne({ email: "ops@staging.test" }).lean();
      expect(await isOperator(connection, String(user!._id))).toBe(true);
      await closeConnection();
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
