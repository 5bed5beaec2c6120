import { createServer } from "node:http";
import { loadRuntimeConfig } from "@tandem/core/config";
import { closeConnection, getConnection } from "@tandem/core/database";
import { apiGatewayLiveGateway, FanOut } from "@tandem/core/live";
import { lambdaSource } from "../lambda-source.js";
import { createLogger } from "../logger.js";
import { liveContext } from "./context.js";
import { startLocalLiveServer } from "./local-gateway.js";

/**
 * The subscriber fan-out as a process (bundled by scripts/bundle-fanout.mjs).
 * - On AWS (the container of stacks/live.ts): reads the live-update log and posts each event to
 *   the WebSocket API's connections (LIVE_MANAGEMENT_ENDPOINT); answers GET /health on PORT.
 * - With `--local` (pnpm dev): also plays the WebSocket API itself, on LIVE_PORT.
 */
async function main() {
  const local = process.argv.includes("--local");
  const source = local ? process.env : await lambdaSource();
  const config = loadRuntimeConfig(source);
  const logger = createLogger({ stage: config.stage, level: source.LOG_LEVEL, pretty: source.LOG_FORMAT === "pretty" });
  const deps = {
    config,
    appUrl: (source.APP_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, ""),
    database: () => getConnection({ uri: config.mongodbUri, tlsCAFile: source.MONGODB_TLS_CA_FILE, maxPoolSize: 5 }),
  };
  const onError = (error: unknown) => logger.error({ err: error }, "live fan-out round failed");
  let stop: () => Promise<void>;
  if (local) {
    const ctx = await liveContext(deps, { send: () => Promise.resolve(false), close: () => Promise.resolve() });
    const server = await startLocalLiveServer({ connection: ctx.connection, sessionSecret: ctx.sessionSecret, appOrigin: ctx.appOrigin, access: ctx.access, port: Number(source.LIVE_PORT ?? 4001), host: source.HOST ?? "127.0.0.1", onError });
    logger.info({ url: server.url }, "live updates are listening");
    stop = () => server.close();
  } else {
    const endpoint = source.LIVE_MANAGEMENT_ENDPOINT;
    if (!endpoint) throw new Error("LIVE_MANAGEMENT_ENDPOINT is not set: the fan-out cannot reach the WebSocket API (stacks/live.ts sets it).");
    const ctx = await liveContext(deps, apiGatewayLiveGateway(endpoint));
    const fanOut = new FanOut({ connection: ctx.connection, gateway: ctx.gateway, access: ctx.access, onError });
    fanOut.start();
    const health = createServer((req, res) => {
      const ok = req.url === "/health";
      res.writeHead(ok ? 200 : 404, { "content-type": "text/plain" }).end(ok ? "ok\n" : "");
    }).listen(Number(source.PORT ?? 8080));
    logger.info({ endpoint }, "live fan-out started");
    stop = async () => {
      health.close();
      await fanOut.stop();
    };
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void stop()
        .then(() => closeConnection())
        .then(() => process.exit(0));
    });
  }
}

await main();
