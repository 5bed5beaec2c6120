import { spawn, type SpawnOptions } from "node:child_process";

/** Runs a command to completion; on failure the error carries the tail of its output. */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.on("error", (error) =>
      reject(new Error(`Could not run ${command}: ${error.message}. Is it installed and on PATH?`)),
    );
    child.on("close", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(" ")} failed with exit code ${code}:\n${output.slice(-4_000)}`));
    });
  });
}
