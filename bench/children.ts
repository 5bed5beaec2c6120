/**
 * Servers under test run in child processes, so that the CPU they spend is measured for them
 * alone (process.cpuUsage in the child) and the load generator's own work does not count.
 * A child answers commands from its parent over the IPC channel.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface Child {
  readonly url: string;
  /** Runs a command in the child and returns its answer. */
  ask<T>(command: string): Promise<T>;
  stop(): Promise<void>;
}

interface Reply {
  readonly id?: number;
  readonly ready?: string;
  readonly result?: unknown;
  readonly error?: string;
}

/** Starts `script` (a module of this folder) with `args`; resolves once it says where it listens. */
export function startChild(script: string, args: string[], env: Record<string, string | undefined> = {}): Promise<Child> {
  // fork() reuses this process's execArgv, so the child runs through tsx as well.
  // BENCH_PROFILE_DIR=<folder> writes a CPU profile of each child there when it stops (open it in
  // Chrome's DevTools) to see where a server's time per request goes.
  const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  // The SDK's notice about later Node versions is noise here (Node 20 is supported by these versions).
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    execArgv: [...process.execArgv, ...profile],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let next = 0;
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${script} ${args.join(" ")} exited with ${code} before it was ready`)));
    child.on("message", (message: Reply) => {
      if (message.ready) {
        child.removeAllListeners("exit");
        resolve({
          url: message.ready,
          ask<T>(command: string) {
            const id = next++;
            return new Promise<T>((resolve, reject) => {
              waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
              child.send({ id, command });
            });
          },
          stop: () =>
            new Promise<void>((resolve) => {
              child.once("exit", () => resolve());
              child.kill("SIGTERM");
            }),
        });
        return;
      }
      const pending = message.id === undefined ? undefined : waiting.get(message.id);
      if (!pending) return;
      waiting.delete(message.id!);
      if (message.error) pending.reject(new Error(message.error));
      else pending.resolve(message.result);
    });
  });
}

/** In a child: says where it listens, then answers the parent's commands with `handlers`. */
export function serveParent(url: string, handlers: Record<string, () => unknown>, onStop: () => Promise<void> = async () => undefined): void {
  process.on("message", (message: { id: number; command: string }) => {
    const handler = handlers[message.command];
    Promise.resolve()
      .then(() => (handler ? handler() : Promise.reject(new Error(`unknown command ${message.command}`))))
      .then(
        (result) => process.send!({ id: message.id, result }),
        (error: unknown) => process.send!({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  process.once("SIGTERM", () => {
    void onStop().finally(() => process.exit(0));
  });
  // The parent going away (Ctrl-C, a crash) takes the child with it.
  process.once("disconnect", () => {
    void onStop().finally(() => process.exit(0));
  });
  process.send!({ ready: url });
}

/** CPU time (user + system) this process has used, in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

export function summary(values: number[]): { n: number; p50: number; p95: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}
