import { Writable } from "node:stream";
import { createOperator, type ControlPlaneScope } from "@tandem/core/control-plane";
import { closeConnection } from "@tandem/core/database";
import { resetPassword } from "@tandem/core/identity";
import { startMailCatcher, type MailCatcher } from "@tandem/local";
import type { Express } from "express";
import request from "supertest";
import { inject } from "vitest";
import { createApp } from "../src/app.js";
import { createDeps } from "../src/context.js";
import type { AppDeps } from "../src/deps.js";
import { createLogger } from "../src/logger.js";

export const TEST_SECRETS = {
  SESSION_SECRET: "test-session-secret-that-is-long-enough-0001",
  JWT_SECRET: "test-jwt-secret-that-is-long-enough-000000001",
};

/** A logger whose JSON lines the test can read back. */
export function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ stage: "test", destination });
  const text = () => chunks.join("");
  return {
    logger,
    text,
    lines: () => text().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export function testDeps(mongodbUri: string, logger = capturedLogger().logger) {
  return createDeps({ ...TEST_SECRETS, MONGODB_URI: mongodbUri, TANDEM_VERSION: "1.2.3-test" }, logger);
}

type ParsedMail = Awaited<ReturnType<MailCatcher["waitFor"]>>;

/** The token of a link in a mail's text part, as a person would click it. */
export function linkToken(message: ParsedMail, path: string, appUrl = "http://app.tandem.test"): string {
  const match = new RegExp(`${appUrl.replace(/[.]/g, "\\.")}${path}\\?token=([\\w%-]+)`).exec(message.text ?? "");
  if (!match) throw new Error(`no ${path} link in: ${message.text}`);
  return decodeURIComponent(match[1]!);
}

export interface IdentityHarness {
  readonly app: Express;
  readonly deps: AppDeps;
  readonly source: Record<string, string>;
  readonly mail: MailCatcher;
  /** Signs up, confirms the address through the mailed link, and signs in; cookies kept in `agent`. */
  member(email: string, name?: string, password?: string): Promise<SignedIn>;
  close(): Promise<void>;
}

export interface SignedIn {
  readonly agent: ReturnType<typeof request.agent>;
  readonly userId: string;
  readonly email: string;
  readonly password: string;
  /** The anti-forgery token the web app copies from its cookie into X-CSRF-Token. */
  readonly csrf: string;
}

/** Reads a cookie's value from a response's Set-Cookie headers. */
export function setCookie(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const headers = (res.headers["set-cookie"] as string[] | undefined) ?? [];
  const line = headers.find((h) => h.startsWith(`${name}=`));
  return line ? decodeURIComponent(line.slice(name.length + 1).split(";")[0]!) : undefined;
}

/** The API with a real SMTP server catching its mail and its own database. */
export async function identityHarness(database: string, options: { issuerOverrides?: AppDeps["issuerOverrides"]; source?: Record<string, string> } = {}): Promise<IdentityHarness> {
  const mail = await startMailCatcher();
  const source = {
    ...TEST_SECRETS,
    MONGODB_URI: `${inject("mongodbUri")}/${database}`,
    MAIL_HOST: "127.0.0.1",
    MAIL_PORT: String(mail.port),
    MAIL_USERNAME: "mailer",
    MAIL_PASSWORD: "pw",
    MAIL_FROM: "Tandem <no-reply@tandem.test>",
    SUPPORT_EMAIL: "help@tandem.test",
    // http, so supertest's cookie jar sends the cookies back (it keeps Secure ones for https).
    APP_URL: "http://app.tandem.test/",
    ...options.source,
  };
  const deps = createDeps(source, capturedLogger().logger, { issuerOverrides: options.issuerOverrides });
  await (await deps.database()).dropDatabase();
  const app = createApp(deps);

  async function member(email: string, name = email.split("@")[0]!, password = "a long enough passphrase"): Promise<SignedIn> {
    const since = mail.received.length;
    const signUp = await request(app).post("/api/accounts").send({ email, name, password }).expect(201);
    const token = linkToken(await mail.waitFor(email, since), "/verify-email", deps.appUrl);
    await request(app).post("/api/accounts/verify-email").send({ token }).expect(200);
    const agent = request.agent(app);
    const res = await agent.post("/api/auth/sign-in").send({ email, password }).expect(200);
    return { agent, userId: (signUp.body as { account: { id: string } }).account.id, email, password, csrf: setCookie(res, "tandem_csrf")! };
  }

  return {
    app,
    deps,
    source,
    mail,
    member,
    async close() {
      await mail.close();
      await closeConnection();
    },
  };
}

/** Makes `email` an operator, sets its password through the operator's link, and signs it in. */
export async function signInOperator(h: Pick<IdentityHarness, "app" | "deps">, email: string): Promise<SignedIn> {
  const { token } = await createOperator(await h.deps.database(), email);
  const password = "an operator's long passphrase";
  await resetPassword(await h.deps.database(), token, password);
  const agent = request.agent(h.app);
  const res = await agent.post("/api/auth/sign-in").send({ email, password }).expect(200);
  return { agent, userId: res.body.account.id, email, password, csrf: setCookie(res, "tandem_csrf")! };
}

/** A client credential made by the operator with these scopes, traded for a bearer token. */
export async function clientToken(h: Pick<IdentityHarness, "app">, operator: SignedIn, scopes: readonly ControlPlaneScope[], name = scopes.join(" ")): Promise<string> {
  const client = (await operator.agent.post("/control-plane/clients").set("x-csrf-token", operator.csrf).send({ name, scopes }).expect(201)).body.data;
  return (await request(h.app).post("/control-plane/oauth/token").auth(client.clientId, client.clientSecret).type("form").send({ grant_type: "client_credentials" }).expect(200)).body.access_token as string;
}

/** Every route of the app as "method /path", read from Express's router, sorted. */
export function appRoutes(app: Express): string[] {
  const found: string[] = [];
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) for (const method of Object.keys(layer.route.methods)) found.push(`${method} ${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found.sort();
}

/** An HTTP API / function URL event (payload format 2.0), as API Gateway and Lambda URLs send it. */
export function lambdaHttpEvent(input: { method?: string; path: string; headers?: Record<string, string>; body?: unknown; host?: string }) {
  const host = input.host ?? "api.example.com";
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: input.path,
    rawQueryString: "",
    headers: { host, ...input.headers },
    ...(input.body === undefined ? {} : { body: JSON.stringify(input.body) }),
    isBase64Encoded: false,
    requestContext: {
      accountId: "123456789012",
      apiId: host.split(".")[0]!,
      domainName: host,
      domainPrefix: host.split(".")[0]!,
      http: { method: input.method ?? "GET", path: input.path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "vitest" },
      requestId: "r1",
      routeKey: "$default",
      stage: "$default",
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}

export interface StreamEvent {
  event: string;
  data: unknown;
}

/**
 * Reads a reply's text/event-stream as a browser would, event by event; after `stopAfter` deltas
 * it aborts the request (the stop button). An answer that is not a stream is one "problem" event.
 */
export async function readEventStream(res: Response, controller: AbortController, stopAfter?: number): Promise<StreamEvent[]> {
  if (!res.headers.get("content-type")?.startsWith("text/event-stream")) return [{ event: "problem", data: await res.json() }];
  const events: StreamEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1] ?? "message";
        const data = JSON.parse(/^data: (.+)$/m.exec(block)?.[1] ?? "null") as unknown;
        events.push({ event, data });
        if (stopAfter !== undefined && events.filter((e) => e.event === "delta").length >= stopAfter) controller.abort();
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return events;
}
