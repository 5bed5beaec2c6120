import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { watch, type FSWatcher } from "node:fs";
import os from "node:os";

/**
 * Keeps a child process running for `pnpm dev`: says so when it dies (code or signal) and starts
 * it again, restarts it when a watched source file changes, and after three crashes in a row
 * within seconds of starting waits for a change instead of looping.
 */
export interface Supervised {
  /** Stops the child and the watching; resolves when the child has exited. */
  stop(): Promise<void>;
  /** How many times the child was started. */
  readonly starts: number;
  /** The running child's process id. */
  readonly pid: number | undefined;
}

export interface SuperviseOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly spawnOptions?: SpawnOptions;
  /** Folders whose changes restart the child (recursively; node_modules and dot-folders ignored). */
  readonly watch?: readonly string[];
  readonly say: (line: string) => void;
  /** Wait before starting again after a crash. */
  readonly restartDelayMs?: number;
}

const QUICK_CRASH_MS = 5_000;

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** "was killed by SIGKILL", also when a wrapper reports its child's signal as 128 + n. */
function howItEnded(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal}`;
  if (code !== null && code > 128) {
    const name = Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0];
    if (name) return `was killed by ${name} (exit code ${code})`;
  }
  return `exited with code ${code}`;
}

/**
 * Signals the child's whole process group: it runs in a group of its own (detached), so a
 * wrapper (tsx) and the server it starts go together, and a wrapper killed alone leaves no
 * orphan holding the port.
 */
function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // The group is gone already.
  }
}

export function supervise(options: SuperviseOptions): Supervised {
  let child: ChildProcess | undefined;
  let stopping = false;
  let starts = 0;
  let quickCrashes = 0;
  let startedAt = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let changeTimer: NodeJS.Timeout | undefined;
  let waitingForChange = false;

  const start = () => {
    starts += 1;
    startedAt = Date.now();
    waitingForChange = false;
    const proc = spawn(options.command, [...options.args], { stdio: "inherit", ...options.spawnOptions, detached: true });
    child = proc;
    proc.once("exit", (code, signal) => {
      // Whatever the wrapper left running in its group goes with it.
      signalGroup(proc, "SIGKILL");
      if (child === proc) child = undefined;
      if (stopping || proc.killed) return;
      const how = howItEnded(code, signal);
      quickCrashes = Date.now() - startedAt < QUICK_CRASH_MS ? quickCrashes + 1 : 0;
      if (quickCrashes >= 3) {
        waitingForChange = true;
        options.say(`${capitalised(options.name)} ${how}, three times right after starting. Read its output above; it starts again when you save a file.`);
        return;
      }
      options.say(`${capitalised(options.name)} ${how}. Starting it again...`);
      restartTimer = setTimeout(start, options.restartDelayMs ?? 1_000);
    });
  };

  const restart = () => {
    const running = child;
    if (!running) {
      if (waitingForChange) {
        quickCrashes = 0;
        options.say(`A file changed: starting ${options.name} again...`);
        start();
      }
      return;
    }
    running.once("exit", () => {
      if (!stopping) start();
    });
    // Marked as killed on purpose, so its exit is not reported as a crash.
    running.kill("SIGTERM");
    signalGroup(running, "SIGTERM");
    child = undefined;
  };

  const watchers: FSWatcher[] = (options.watch ?? []).map((dir) =>
    watch(dir, { recursive: true }, (_event, file) => {
      if (!file || /(^|\/)(node_modules|\.[^/]+)(\/|$)/.test(String(file))) return;
      clearTimeout(changeTimer);
      changeTimer = setTimeout(restart, 200);
    }),
  );

  start();
  return {
    get starts() {
      return starts;
    },
    get pid() {
      return child?.pid;
    },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      clearTimeout(changeTimer);
      for (const w of watchers) w.close();
      const running = child;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once("exit", () => resolve());
        running.kill("SIGTERM");
        signalGroup(running, "SIGTERM");
      });
    },
  };
}
