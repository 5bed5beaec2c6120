/** Progress lines of the local tooling; on stderr so that command output stays clean. */
export function say(message: string): void {
  process.stderr.write(`[tandem] ${message}\n`);
}

/** Prints a heartbeat while a long step runs, so a first install never looks stuck. */
export async function withProgress<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  say(`${label}...`);
  const timer = setInterval(() => say(`${label}: still working (${Math.round((Date.now() - started) / 1000)} s)`), 15_000);
  try {
    const result = await work();
    say(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } finally {
    clearInterval(timer);
  }
}
