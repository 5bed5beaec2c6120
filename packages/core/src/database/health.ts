import type { Connection } from "mongoose";

export interface DatabaseProbe {
  readonly status: "up" | "down";
  readonly latencyMs: number;
  readonly reason?: string;
}

/** Pings the server, giving up after `timeoutMs` so that a health check stays fast. */
export async function pingDatabase(connect: () => Promise<Connection>, timeoutMs = 2_000): Promise<DatabaseProbe> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([
      (async () => {
        const connection = await connect();
        if (!connection.db) throw new Error("the connection is not open");
        await connection.db.admin().command({ ping: 1 });
      })(),
      timeout,
    ]);
    return { status: "up", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: "down",
      latencyMs: Math.round(performance.now() - started),
      reason: `The database did not answer: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    clearTimeout(timer);
  }
}
