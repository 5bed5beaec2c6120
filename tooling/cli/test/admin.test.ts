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
    await expect(adminCreate(["--email", "a@b.co", "--stage", "prod"], { MONGODB_URI: database })).rejects.toThrow(/not available yet/);
  });
});
