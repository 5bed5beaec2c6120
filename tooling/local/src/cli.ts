import { spawn } from "node:child_process";
import path from "node:path";
import getPort from "get-port";
import { createLocalBuckets, LOCAL_BUCKETS } from "./buckets.js";
import { devSecrets } from "./dev-secrets.js";
import { doctor } from "./doctor.js";
import { installLocalServices } from "./install.js";
import { say } from "./log.js";
import { ROOT } from "./paths.js";
import { startLocalServices } from "./services.js";

const USAGE = `Usage: pnpm dev | pnpm services | pnpm services:install | pnpm doctor --stage <stage>

  dev       start FerretDB, moto, the API (http://127.0.0.1:4000) and the web app (http://127.0.0.1:3000)
  services  start only FerretDB and moto and print the environment that reaches them
  install   build / install FerretDB and moto into .tandem/ (done automatically on first use)
  doctor    check a deployed stage's variables and SSM secrets before deploying it`;

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

async function dev(): Promise<void> {
  const services = await startLocalServices({ persistent: true, allowRealAws: true });
  if (services.moto) await createLocalBuckets(services.moto.endpoint);
  const apiPort = await getPort({ host: "127.0.0.1", port: Number(process.env.API_PORT ?? 4000) });
  const webPort = await getPort({ host: "127.0.0.1", port: Number(process.env.PORT ?? 3000) });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const env = {
    ...process.env,
    ...devSecrets(),
    ...LOCAL_BUCKETS,
    ...services.env,
    MONGODB_URI: process.env.MONGODB_URI ?? `${services.mongodbUri}/tandem-local`,
    PORT: String(apiPort),
    TANDEM_API_URL: apiUrl,
    LOG_FORMAT: process.env.LOG_FORMAT ?? "pretty",
  };
  // The API restarts on changes (tsx watch); the web app has Next's own fast refresh.
  const api = spawn("pnpm", ["exec", "tsx", "watch", "--clear-screen=false", "packages/api/src/server.ts"], { cwd: ROOT, env, stdio: "inherit" });
  const web = spawn("pnpm", ["exec", "next", "dev", "--hostname", "127.0.0.1", "--port", String(webPort)], {
    cwd: path.join(ROOT, "apps/web"),
    env: { ...env, PORT: String(webPort) },
    stdio: "inherit",
  });
  say(`API      ${apiUrl}  (health: ${apiUrl}/api/health, reference: ${apiUrl}/api-docs)`);
  say(`Web app  http://127.0.0.1:${webPort}`);
  say("Press Ctrl-C to stop everything.");
  const childExit = new Promise<void>((resolve) => {
    api.once("exit", () => resolve());
    web.once("exit", () => resolve());
  });
  await Promise.race([waitForSignal(), childExit]);
  say("Stopping...");
  api.kill("SIGTERM");
  web.kill("SIGTERM");
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
    case "doctor": {
      const at = args.indexOf("--stage");
      const stage = at >= 0 ? args[at + 1] : (process.env.SEED_STAGE_NAME ?? process.env.SST_STAGE);
      if (!stage) throw new Error("Name the stage to check: pnpm doctor --stage dev");
      const report = await doctor(stage, process.env);
      for (const line of report.lines) process.stdout.write(`${line}\n`);
      process.exitCode = report.ok ? 0 : 1;
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
