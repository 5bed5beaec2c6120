import { chmodSync, chownSync, existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import getPort from "get-port";
import { run } from "./exec.js";
import { ensurePostgres } from "./install.js";
import { say } from "./log.js";
import { startProcess, waitForPort, type ManagedProcess } from "./process.js";

/**
 * PostgreSQL for FerretDB's PostgreSQL backend, which pushes filters, sorts and limits down into
 * SQL, where the SQLite backend reads whole collections. Binaries come from the npm registry
 * (ensurePostgres); the cluster lives in `dataDir` and listens on loopback only.
 *
 * PostgreSQL refuses to run as root, and CI machines often are root: then the server runs as the
 * unprivileged user `nobody` (setpriv), and its data folder is given to that user.
 */
export interface Postgres {
  readonly port: number;
  /** For FerretDB: postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  stop(): Promise<void>;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/**
 * As root, the server's user must be able to reach its data folder: every folder above it gets
 * "search" permission for others (o+x: pass through, not list) where it lacks it, and we say so.
 */
function makeReachable(dir: string): void {
  for (let at = path.dirname(path.resolve(dir)); ; at = path.dirname(at)) {
    const mode = statSync(at).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(at, mode | 0o001);
      say(`Let PostgreSQL's user (nobody) pass through ${at} (chmod o+x), to reach its data folder`);
    }
    if (at === path.dirname(at)) return;
  }
}

/** The command and arguments that run a PostgreSQL binary, as `nobody` when we are root. */
function asServerUser(binary: string, args: string[]): [string, string[]] {
  return isRoot() ? ["setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", binary, ...args]] : [binary, args];
}

export async function startPostgres(options: { dataDir: string; name?: string; port?: number; durable?: boolean }): Promise<Postgres> {
  const native = await ensurePostgres();
  const bin = (name: string) => path.join(native, "bin", name);
  const env = { ...process.env, LD_LIBRARY_PATH: path.join(native, "lib"), LC_ALL: "C" };
  mkdirSync(options.dataDir, { recursive: true });
  if (isRoot()) {
    chownSync(options.dataDir, 65534, 65534);
    makeReachable(options.dataDir);
  }
  if (!existsSync(path.join(options.dataDir, "PG_VERSION"))) {
    const [command, args] = asServerUser(bin("initdb"), ["-D", options.dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]);
    await run(command, args, { env });
  }
  const port = options.port ?? (await getPort({ host: "127.0.0.1" }));
  // A throw-away cluster (tests) skips durability for speed; pnpm dev's keeps it.
  const speed = options.durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];
  const [command, args] = asServerUser(bin("postgres"), // Loopback only, and no Unix socket (its default folder may not exist or be writable here).
    ["-D", options.dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200", ...speed]);
  const proc: ManagedProcess = startProcess(options.name ?? "postgres", command, args, env);
  await waitForPort(port, "PostgreSQL", proc.logFile);
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => proc.stop(),
  };
}
