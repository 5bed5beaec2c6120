import { Schema, type Connection, type Model } from "mongoose";
import { isDuplicateKeyError } from "../database/errors.js";
import { withLease } from "../database/lease.js";

/**
 * Data migrations between Tandem versions. Each runs once per database and is recorded in
 * `schema_migrations`, in the order of MIGRATIONS. They run during `sst deploy` (the Migrations
 * stack's Script, before the API stack takes the new code), in `pnpm dev` when it starts, and with
 * `pnpm tandem migrate`.
 *
 * Rules for writing one:
 * - `id` is new and sorts after every earlier one: `YYYY-MM-DD-what-it-does`.
 * - `up` is idempotent. A crash after it ran but before it was recorded runs it again on the next deploy.
 * - The version before keeps working while it runs: add fields and indexes first, and remove the old
 *   ones in a later release (expand, then contract). A removal is a breaking change for the changelog.
 * - Only what MongoDB, DocumentDB and FerretDB v1 all do (docs/documentdb.md): no transactions.
 */
export interface Migration {
  readonly id: string;
  /** The release of @tandem/core that brought it. */
  readonly version: string;
  readonly description: string;
  up(connection: Connection): Promise<void>;
}

/** Tandem's migrations, oldest first. */
export const MIGRATIONS: readonly Migration[] = [];

interface AppliedMigration {
  id: string;
  version: string;
  description: string;
  /** The Tandem release that ran it. */
  appliedBy: string;
  startedAt: Date;
  finishedAt: Date;
}

const appliedSchema = new Schema<AppliedMigration>(
  {
    id: { type: String, required: true },
    version: { type: String, required: true },
    description: { type: String, required: true },
    appliedBy: { type: String, required: true },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, required: true },
  },
  { collection: "schema_migrations", versionKey: false },
);
appliedSchema.index({ id: 1 }, { unique: true, name: "id_unique" });

export function appliedMigrationModel(connection: Connection): Model<AppliedMigration> {
  return (connection.models.AppliedMigration as Model<AppliedMigration> | undefined) ?? connection.model<AppliedMigration>("AppliedMigration", appliedSchema);
}

export interface MigrationReport {
  /** Ran now, in order. */
  readonly applied: readonly string[];
  /** Had run before. */
  readonly skipped: readonly string[];
}

const ID = /^\d{4}-\d{2}-\d{2}-[a-z0-9-]+$/;

/** Refuses a list a release must never ship: malformed, repeated or out-of-order ids. */
export function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (!ID.test(m.id)) throw new Error(`Migration id "${m.id}" must look like 2026-12-01-what-it-does.`);
    const before = migrations[i - 1];
    if (before && before.id >= m.id) throw new Error(`Migration "${m.id}" must sort after "${before.id}": ids are unique and in order.`);
  });
}

/**
 * Runs every migration this database has not recorded yet, one runner at a time (a lease in the
 * database; a second runner waits, then finds them recorded). A migration that throws stops the
 * run unrecorded: fix it, and the next run starts there.
 */
export async function runMigrations(connection: Connection, options: { release: string; migrations?: readonly Migration[]; log?: (message: string, fields: Record<string, unknown>) => void; leaseMs?: number; waitMs?: number }): Promise<MigrationReport> {
  const migrations = options.migrations ?? MIGRATIONS;
  checkMigrations(migrations);
  const applied = appliedMigrationModel(connection);
  await applied.init();
  return withLease(
    connection,
    "schema-migrations",
    async () => {
      const done = new Set((await applied.find().select({ id: 1 }).lean()).map((m) => m.id));
      const ran: string[] = [];
      for (const migration of migrations) {
        if (done.has(migration.id)) continue;
        const startedAt = new Date();
        options.log?.("migration started", { migration: migration.id, version: migration.version });
        await migration.up(connection);
        try {
          await applied.create({ id: migration.id, version: migration.version, description: migration.description, appliedBy: options.release, startedAt, finishedAt: new Date() });
        } catch (error) {
          // A runner that took over a lapsed lease recorded it first: it ran (idempotently) and is recorded.
          if (!isDuplicateKeyError(error)) throw error;
        }
        options.log?.("migration applied", { migration: migration.id, ms: Date.now() - startedAt.getTime() });
        ran.push(migration.id);
      }
      return { applied: ran, skipped: migrations.filter((m) => done.has(m.id)).map((m) => m.id) };
    },
    // The longest a deploy's Script may run (15 minutes); a second runner waits as long.
    { ttlMs: options.leaseMs ?? 15 * 60_000, waitMs: options.waitMs ?? 15 * 60_000, what: "The database's migrations" },
  );
}

/** What has been recorded, oldest first: for `pnpm tandem migrate --status`. */
export async function appliedMigrations(connection: Connection): Promise<AppliedMigration[]> {
  return appliedMigrationModel(connection).find().sort({ startedAt: 1 }).select({ _id: 0 }).lean();
}
