import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { LOG_DIR } from "./paths.js";

const running = new Set<ChildProcess>();
// Children must not outlive us, even when the parent is killed by Ctrl-C or a test runner.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export interface ManagedProcess {
  readonly pid: number;
  readonly logFile: string;
  /** SIGTERM (SIGKILL after 5 s); `abruptly` kills at once, as a crash or a lost host would. */
  stop(options?: { abruptly?: boolean }): Promise<void>;
}

export function startProcess(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): ManagedProcess {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${name}.log`);
  const log = createWriteStream(logFile, { flags: "a" });
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  running.add(child);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      running.delete(child);
      resolve();
    });
  });
  return {
    pid: child.pid ?? -1,
    logFile,
    async stop(options = {}) {
      if (exited) return;
      child.kill(options.abruptly ? "SIGKILL" : "SIGTERM");
      const timeout = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exit;
      clearTimeout(timeout);
    },
  };
}

/** Resolves once something accepts TCP connections on the port, or fails after `timeoutMs`. */
export async function waitForPort(port: number, what: string, logFile: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start listening on 127.0.0.1:${port} within ${timeoutMs / 1000} s; see ${logFile}`);
}
