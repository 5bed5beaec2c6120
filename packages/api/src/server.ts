import type { Server } from "node:http";
import type { Source } from "@tandem/core/config";
import { closeConnection } from "@tandem/core/database";
import { createApp } from "./app.js";
import { createDeps } from "./context.js";

/** The local API server of `pnpm dev`: the same app as on Lambda, on a plain HTTP port. */
export async function startServer(source: Source, port: number, host = "127.0.0.1"): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const deps = createDeps(source);
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once("error", reject);
  });
  const address = server.address();
  const url = `http://${host}:${typeof address === "object" && address ? address.port : port}`;
  deps.logger.info({ url }, "Tandem API is listening");
  return {
    server,
    url,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeConnection();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 4000);
  const { close } = await startServer(process.env, port, process.env.HOST ?? "127.0.0.1");
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void close().then(() => process.exit(0));
    });
  }
}
