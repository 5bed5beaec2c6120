import { execSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { supervise, type Supervised } from "../src/supervise.js";

/** pnpm dev's API process: when it dies, the developer is told, and it comes back. */
let running: Supervised | undefined;
let dir: string | undefined;
afterEach(async () => {
  await running?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the supervised API process of pnpm dev", () => {
  it("says that it died and how, and starts it again", async () => {
    const lines: string[] = [];
    // Killed 100 ms after it starts, as the kernel's OOM killer would.
    running = supervise({ name: "the API", command: process.execPath, args: ["-e", "setTimeout(() => process.kill(process.pid, 'SIGKILL'), 100)"], say: (l) => lines.push(l), restartDelayMs: 50 });
    await expect.poll(() => running!.starts, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toBe("The API was killed by SIGKILL. Starting it again...");
  });

  it("stops looping after three quick crashes, and starts again when a file changes", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "tandem-supervise-"));
    const lines: string[] = [];
    running = supervise({ name: "the API", command: process.execPath, args: ["-e", "process.exit(3)"], watch: [dir], say: (l) => lines.push(l), restartDelayMs: 20 });
    await expect.poll(() => lines.at(-1), { timeout: 5_000 }).toContain("three times right after starting");
    const starts = running.starts;
    expect(starts).toBe(3);
    writeFileSync(path.join(dir, "server.ts"), "// changed");
    await expect.poll(() => running!.starts, { timeout: 5_000 }).toBeGreaterThan(starts);
    expect(lines).toContain("A file changed: starting the API again...");
  });

  it("takes what a killed wrapper started with it, so nothing is left holding the port", async () => {
    const lines: string[] = [];
    // A wrapper (as tsx is) whose child is the real, long-lived server.
    const script = "require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); setInterval(() => {}, 1000);";
    running = supervise({ name: "the API", command: process.execPath, args: ["-e", script], say: (l) => lines.push(l), restartDelayMs: 5_000 });
    const wrapper = running.pid!;
    const childOf = (pid: number) => Number(execSync(`pgrep -P ${pid} || true`).toString().trim().split("\n")[0] || 0);
    await expect.poll(() => childOf(wrapper), { timeout: 5_000 }).toBeGreaterThan(0);
    const server = childOf(wrapper);
    process.kill(wrapper, "SIGKILL");
    await expect.poll(() => lines[0]).toBe("The API was killed by SIGKILL. Starting it again...");
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(() => alive(server), { timeout: 5_000 }).toBe(false);
  });
});
