import { createServer } from "node:http";
import { closeConnection } from "@tandem/core/database";
import { apiGatewayLiveGateway, FanOut } from "@tandem/core/live";
import { createDeps } from "../context.js";
import { lambdaSource } from "../lambda-source.js";
import { liveContext } from "./context.js";
import { startLocalLiveServer } from "./local-gateway.js";

/**
 * The subscriber fan-out as a process.
 * - On AWS (the container of stacks/live.ts): reads the live-update log and posts each event to
 *   the WebSocket API's connections (LIVE_MANAGEMENT_ENDPOINT); answers GET /health on PORT.
 * - With `--local` (pnpm dev): also plays the WebSocket API itself, on LIVE_PORT.
 */
async function main() {
  const local = process.argv.includes("--local");
  const source = local ? process.env : await lambdaSource();
  const deps = createDeps(source);
  const onError = (error: unknown) => deps.logger.error({ err: error }, "live fan-out round failed");
  let stop: () => Promise<void>;
  if (local) {
    const ctx = await liveContext(deps, { send: () => Promise.resolve(false), close: () => Promise.resolve() });
    const server = await startLocalLiveServer({ connection: ctx.connection, sessionSecret: ctx.sessionSecret, appOrigin: ctx.appOrigin, access: ctx.access, port: Number(source.LIVE_PORT ?? 4001), host: source.HOST ?? "127.0.0.1", onError });
    deps.logger.info({ url: server.url }, "live updates are listening");
    stop = () => server.close();
  } else {
    const endpoint = source.LIVE_MANAGEMENT_ENDPOINT;
    if (!endpoint) throw new Error("LIVE_MANAGEMENT_ENDPOINT is not set: the fan-out cannot reach the WebSocket API (stacks/live.ts sets it).");
    const ctx = await liveContext(deps, apiGatewayLiveGateway(endpoint));
    const fanOut = new FanOut({ connection: ctx.connection, gateway: ctx.gateway, access: ctx.access, onError });
    fanOut.start();
    const health = createServer((req, res) => {
      res.writeHead(req.url === "/health" ? 200 : 404, { "content-type": "text/plain" }).end(req.url === "/health" ? "ok\n" : "");
    }).listen(Number(source.PORT ?? 8080));
    deps.logger.info({ endpoint }, "live fan-out started");
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
