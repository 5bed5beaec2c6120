#!/usr/bin/env node
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import getPort from "get-port";
import { z } from "zod";
import { createLocalBuckets, devSecrets, installLocalServices, LOCAL_BUCKETS, ROOT, say, startLocalServices, startMailbox, startMailCatcher } from "@tandem/local";
import { adminCreate } from "./admin.js";
import { auditVerify } from "./audit.js";
import { runDoctor } from "@tandem/stacks/doctor";
import { migrate, migrateDatabase } from "./migrate.js";
import { supervise } from "./supervise.js";

const USAGE = `Usage: pnpm dev | pnpm services | pnpm services:install | pnpm doctor --stage <stage>

  dev       start FerretDB, moto, the API (http://127.0.0.1:4000), live updates (ws://127.0.0.1:4001),
            the web app (http://127.0.0.1:3000)
            and the local inbox for the mails the app sends (http://127.0.0.1:8025)
  services  start only FerretDB and moto and print the environment that reaches them
  install   build / install FerretDB and moto into .tandem/ (done automatically on first use)
  doctor --stage <stage> [--offline] [--skip zone,ses,bedrock,quotas,vpc,ecr,database]
            check a stage before deploying it: its variables, and with AWS credentials its secrets
            in SSM, hosted zone, SES identity and sandbox, Bedrock model access in us-east-1, Lambda
            and IAM quotas, VPC, ECR repository and database (docs/onboarding.md); without
            credentials (or with --offline) what needs no AWS, listing what it skipped; --skip
            leaves checks out (e.g. database, when it lets only the VPC in)
  admin create --email <address> [--stage <stage>]
            make the address an operator and print (and mail) its set-password link: locally
            (MONGODB_URI or the local database; mail with MAIL_HOST), or on a deployed stage with
            its secrets read from SSM (pnpm tandem admin create --email ... --stage prod)
  migrate [--status]
            run the data migrations the database has not recorded (MONGODB_URI, or the local
            database), or list what is recorded and pending; stages run them at each deploy
  audit verify [--tenant <id>|system]
            check the audit log's hash chains (every chain, or one) and name the first broken entry;
            exit code 1 when one is broken (pnpm tandem audit verify ...)`;

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

/** tandem.dev.json at the project's root: how a source checkout runs (this repository has one). */
const DevLayoutFile = z.object({
  api: z.object({ server: z.string(), fanOut: z.string(), watch: z.array(z.string()).default([]) }),
  web: z.string(),
});

/**
 * What `dev` runs: with tandem.dev.json (this repository) the sources, through tsx and restarted
 * on changes, and its web folder; in a customer repository the installed @tandem/api's built
 * server and fan-out, and the web app `pnpm web` (tandem-web prepare) wrote into web/.
 */
function devLayout(): { api: { command: string; args: string[]; watch: string[] }; live: { command: string; args: string[]; watch: string[] }; web: { command: string; args: string[]; cwd: string } } {
  const file = path.join(ROOT, "tandem.dev.json");
  if (existsSync(file)) {
    const parsed = DevLayoutFile.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`tandem.dev.json must name api.server, api.fanOut (TypeScript files), api.watch (folders) and web (the Next.js app's folder): ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}.`);
    const layout = parsed.data;
    const tsx = path.join(ROOT, "node_modules/.bin/tsx");
    const watch = layout.api.watch.map((dir) => path.join(ROOT, dir));
    return {
      api: { command: tsx, args: [layout.api.server], watch },
      live: { command: tsx, args: [layout.api.fanOut, "--local"], watch },
      web: { command: "pnpm", args: ["exec", "next", "dev"], cwd: path.join(ROOT, layout.web) },
    };
  }
  const api = path.dirname(createRequire(import.meta.url).resolve("@tandem/api/package.json"));
  const web = path.join(ROOT, "web");
  if (!existsSync(path.join(web, "app"))) throw new Error("There is no web app in web/ yet: write it with pnpm web (tandem-web prepare --out web --brand brand.json), then run tandem dev again.");
  return {
    api: { command: process.execPath, args: [path.join(api, "dist/server.js")], watch: [] },
    live: { command: process.execPath, args: [path.join(api, "dist/live/fanout-main.js"), "--local"], watch: [] },
    web: { command: path.join(ROOT, "node_modules/.bin/next"), args: ["dev"], cwd: web },
  };
}

async function dev(): Promise<void> {
  const layout = devLayout();
  const services = await startLocalServices({ persistent: true, allowRealAws: true });
  if (services.moto) await createLocalBuckets(services.moto.endpoint);
  const apiPort = await getPort({ host: "127.0.0.1", port: Number(process.env.API_PORT ?? 4000) });
  const webPort = await getPort({ host: "127.0.0.1", port: Number(process.env.PORT ?? 3000) });
  const livePort = await getPort({ host: "127.0.0.1", port: Number(process.env.LIVE_PORT ?? 4001) });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  // Mail goes to a local SMTP server and its inbox page, unless MAIL_HOST names a real one.
  const catcher = process.env.MAIL_HOST ? undefined : await startMailCatcher();
  const mailbox = catcher ? await startMailbox(catcher, await getPort({ host: "127.0.0.1", port: Number(process.env.MAILBOX_PORT ?? 8025) })) : undefined;
  const mailEnv = catcher ? { MAIL_HOST: "127.0.0.1", MAIL_PORT: String(catcher.port), MAIL_USERNAME: "mailer", MAIL_PASSWORD: "pw" } : {};
  const env = {
    ...process.env,
    ...devSecrets(),
    ...LOCAL_BUCKETS,
    ...services.env,
    MONGODB_URI: process.env.MONGODB_URI ?? `${services.mongodbUri}/tandem-local`,
    PORT: String(apiPort),
    TANDEM_API_URL: apiUrl,
    // Live updates: the WebSocket API and the fan-out as one local process (as on AWS, in two parts).
    LIVE_PORT: String(livePort),
    LIVE_URL: `ws://127.0.0.1:${livePort}/`,
    // Links in mails open the web app, which serves the API under /api.
    APP_URL: process.env.APP_URL ?? webUrl,
    ...mailEnv,
    LOG_FORMAT: process.env.LOG_FORMAT ?? "pretty",
    // The web app's /api proxy vouches with it for the viewer's address.
    TANDEM_PROXY_KEY: randomBytes(24).toString("base64url"),
  };
  // The data migrations this database has not recorded, before the API starts on it.
  for (const line of await migrateDatabase(env.MONGODB_URI, { release: "dev" })) say(`migrations: ${line}`);
  // The API restarts on changes to its sources and when it dies (saying so); the web app has
  // Next's own fast refresh.
  // tsx or node itself (not through pnpm exec), so a restart's SIGTERM reaches the server and frees its port.
  const api = supervise({ name: "the API", ...layout.api, spawnOptions: { cwd: ROOT, env }, say });
  const live = supervise({ name: "live updates", ...layout.live, spawnOptions: { cwd: ROOT, env }, say });
  const web = spawn(layout.web.command, [...layout.web.args, "--hostname", "127.0.0.1", "--port", String(webPort)], {
    cwd: layout.web.cwd,
    env: { ...env, PORT: String(webPort) },
    stdio: "inherit",
  });
  say(`API      ${apiUrl}  (health: ${apiUrl}/api/health, reference: ${apiUrl}/api-docs)`);
  say(`Web app  ${webUrl}`);
  say(`Live     ws://127.0.0.1:${livePort}/  (WebSocket of live updates, with the fan-out)`);
  if (mailbox) say(`Mail     ${mailbox.url}  (every mail the app sends: verification, reset, invitations)`);
  say("Press Ctrl-C to stop everything.");
  let stopping = false;
  const webExit = new Promise<void>((resolve) => {
    web.once("exit", (code, signal) => {
      if (!stopping) say(`The web app stopped (${signal ?? `exit code ${code}`}); stopping everything.`);
      resolve();
    });
  });
  await Promise.race([waitForSignal().then(() => (stopping = true)), webExit]);
  stopping = true;
  say("Stopping...");
  web.kill("SIGTERM");
  await api.stop();
  await live.stop();
  await mailbox?.close();
  await catcher?.close();
  await services.stop();
}

async function servicesOnly(): Promise<void> {
  const services = await startLocalServices({ persistent: true, allowRealAws: true });
  if (services.moto) await createLocalBuckets(services.moto.endpoint);
  for (const [name, value] of Object.entries(services.env)) process.stdout.write(`export ${name}=${value}\n`);
  say("Services are running; press Ctrl-C to stop them.");
  await waitForSignal();
  await services.stop();
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case "dev":
      return dev();
    case "services":
      return servicesOnly();
    case "install":
      return installLocalServices();
    case "doctor":
      // Exit at once: a database that refused the connection can leave the driver's monitor running.
      return process.exit(await runDoctor(args));
    case "migrate": {
      for (const line of await migrate(args)) process.stdout.write(`${line}\n`);
      return;
    }
    case "admin": {
      if (args[0] !== "create") throw new Error("Usage: pnpm tandem admin create --email you@example.com [--stage <stage>]");
      await adminCreate(args.slice(1));
      return;
    }
    case "audit": {
      if (args[0] !== "verify") throw new Error("Usage: pnpm tandem audit verify [--tenant <organisation id>|system]");
      const { ok, lines } = await auditVerify(args.slice(1));
      for (const line of lines) process.stdout.write(`${line}\n`);
      process.exitCode = ok ? 0 : 1;
      return;
    }
    default:
      process.stdout.write(`${USAGE}\n`);
      process.exitCode = command ? 2 : 0;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`[tandem] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
