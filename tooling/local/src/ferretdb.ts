import { mkdirSync } from "node:fs";
import getPort from "get-port";
import { ensureFerretDB } from "./install.js";
import { say } from "./log.js";
import { FERRETDB_VERSION } from "./paths.js";
import { startProcess, waitForPort, type ManagedProcess } from "./process.js";

export interface FerretDB {
  readonly port: number;
  /** Connection string without a database name; append `/<db>`. */
  readonly uri: string;
  /** Stops it; `abruptly` kills it at once (an outage), otherwise it shuts down gracefully. */
  stop(options?: { abruptly?: boolean }): Promise<void>;
  /** Starts it again on the same port and data, e.g. after a test stopped it. */
  start(): Promise<void>;
}

/**
 * FerretDB v1 on a loopback port: with `postgresUrl`, on its PostgreSQL backend (what pnpm dev and
 * the tests use: filters, sorts and limits run in SQL); without, on its SQLite backend in `dataDir`
 * (the outage tests use it for a throw-away database they can stop).
 */
export async function startFerretDB(options: { dataDir: string; port?: number; name?: string; postgresUrl?: string }): Promise<FerretDB> {
  const binary = await ensureFerretDB();
  const port = options.port ?? (await getPort({ host: "127.0.0.1" }));
  const name = options.name ?? "ferretdb";
  mkdirSync(options.dataDir, { recursive: true });
  let proc: ManagedProcess | undefined;

  async function start(): Promise<void> {
    // The debug (metrics) listener gets its own free port so that several instances can run.
    const debugPort = await getPort({ host: "127.0.0.1" });
    const backend = options.postgresUrl ? ["--handler=pg", `--postgresql-url=${options.postgresUrl}`] : ["--handler=sqlite", `--sqlite-url=file:${options.dataDir}/`];
    proc = startProcess(name, binary, [
      ...backend,
      `--state-dir=${options.dataDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      `--debug-addr=127.0.0.1:${debugPort}`,
      "--telemetry=disable",
      "--log-level=warn",
    ]);
    await waitForPort(port, `FerretDB ${FERRETDB_VERSION}`, proc.logFile);
  }

  await start();
  say(`FerretDB ${FERRETDB_VERSION} (${options.postgresUrl ? "PostgreSQL" : "SQLite"} backend, data in ${options.dataDir}) is listening on 127.0.0.1:${port}`);
  return {
    port,
    uri: `mongodb://127.0.0.1:${port}`,
    start,
    async stop(options?: { abruptly?: boolean }) {
      await proc?.stop(options);
    },
  };
}
