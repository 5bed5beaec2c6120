import { closeConnection, getConnection } from "@tandem/core/database";
import { appliedMigrations, MIGRATIONS, runMigrations } from "@tandem/core/migrations";
import { say, startLocalServices } from "@tandem/local";

/**
 * `pnpm tandem migrate [--status]`: runs the data migrations the database has not recorded (or,
 * with --status, lists what is recorded and what is pending). The database is MONGODB_URI, or the
 * local one (started for the command when `pnpm dev` is not running). Deployed stages run them
 * during `sst deploy` (stacks/migrations.ts); `pnpm dev` runs them as it starts.
 */
export async function migrate(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const services = env.MONGODB_URI ? undefined : await startLocalServices({ persistent: true, allowRealAws: false, env });
  try {
    return await migrateDatabase(env.MONGODB_URI ?? `${services!.mongodbUri}/tandem-local`, { status: args.includes("--status"), release: env.TANDEM_VERSION ?? "local" });
  } finally {
    await services?.stop();
  }
}

/** Runs (or, with status, lists) the migrations of one database; the lines say what happened. */
export async function migrateDatabase(uri: string, options: { status?: boolean; release: string }): Promise<string[]> {
  const connection = await getConnection({ uri, serverSelectionTimeoutMS: 5_000 });
  try {
    if (options.status) {
      const recorded = await appliedMigrations(connection);
      const done = new Set(recorded.map((m) => m.id));
      const pending = MIGRATIONS.filter((m) => !done.has(m.id));
      return [
        ...recorded.map((m) => `✓ ${m.id} (from ${m.version}, run by ${m.appliedBy} on ${m.finishedAt.toISOString()}): ${m.description}`),
        ...pending.map((m) => `- pending: ${m.id} (from ${m.version}): ${m.description}`),
        `${recorded.length} recorded, ${pending.length} pending`,
      ];
    }
    const report = await runMigrations(connection, { release: options.release, log: (message, fields) => say(`${message}: ${String(fields.migration)}`) });
    return [...report.applied.map((id) => `✓ applied ${id}`), `${report.applied.length} applied now, ${report.skipped.length} already recorded`];
  } finally {
    await closeConnection();
  }
}
