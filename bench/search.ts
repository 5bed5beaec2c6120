/**
 * Notebook search at 10,000 messages (issue 9, item 4; target <= 200 ms): listNotebooks with a
 * query that matches a title and one that matches message text, beside an in-run baseline, the
 * plain list of the same notebooks. On FerretDB (no text index) the search reads at most
 * MESSAGE_SEARCH_WINDOW of the person's messages, newest week first; with MONGODB_URI on MongoDB
 * it uses the text index.
 *
 *   pnpm bench:search          (MESSAGES=10000 NOTEBOOKS=200 ROUNDS=7 by default)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeConnection, detectCapabilities, getConnection } from "@tandem/core/database";
import { listNotebooks, MESSAGE_SEARCH_WINDOW, messageModel, notebookModel } from "@tandem/core/notebooks";
import { withTenant } from "@tandem/core/tenancy";
import { startFerretDB, startPostgres } from "@tandem/local";
import { Types } from "mongoose";

const MESSAGES = Number(process.env.MESSAGES ?? 10_000);
const NOTEBOOKS = Number(process.env.NOTEBOOKS ?? 200);
const ROUNDS = Number(process.env.ROUNDS ?? 7);

const dataDir = mkdtempSync(path.join(os.tmpdir(), "tandem-bench-search-"));
const postgres = process.env.MONGODB_URI ? undefined : await startPostgres({ dataDir: path.join(dataDir, "postgres"), name: "postgres-bench" });
const ferret = postgres ? await startFerretDB({ dataDir: path.join(dataDir, "ferretdb"), name: "ferretdb-bench", postgresUrl: postgres.url }) : undefined;
const connection = await getConnection({ uri: `${process.env.MONGODB_URI ?? ferret!.uri}/bench-search` });
await connection.dropDatabase();

const owner = { tenantId: new Types.ObjectId().toString(), userId: new Types.ObjectId().toString() };
const words = ["harbour", "invoice", "roadmap", "tulip", "glacier", "budget", "quartz", "meadow"];
// A message every 10 minutes: 10,000 messages span about ten weeks.
const SPACING_MS = 10 * 60 * 1000;
const started = Date.now() - MESSAGES * SPACING_MS;
await withTenant(owner.tenantId, async () => {
  const notebooks = await notebookModel(connection).insertMany(
    Array.from({ length: NOTEBOOKS }, (_, i) => ({ userId: owner.userId, title: i === 7 ? "Zephyr launch plan" : `Notebook ${i}`, modelId: "tandem.local-echo-v1", lastActivityAt: new Date(started + i * SPACING_MS) })),
  );
  for (let i = 0; i < MESSAGES; i += 1000) {
    await messageModel(connection).insertMany(
      Array.from({ length: Math.min(1000, MESSAGES - i) }, (_, j) => {
        const n = i + j;
        const at = new Date(started + n * SPACING_MS);
        // One recent message mentions "periwinkle"; the rest are ordinary chat of about 400 characters.
        const content = n === MESSAGES - 50 ? "Paint the hallway periwinkle before the guests arrive." : `${words[n % words.length]} ${words[(n * 3) % words.length]} `.repeat(20);
        return { notebookId: notebooks[n % NOTEBOOKS]!._id, userId: owner.userId, role: n % 2 ? "assistant" : "user", content, status: "complete", createdAt: at, updatedAt: at };
      }),
    );
  }
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(work: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  await work();
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    await work();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

const { engine, textSearch } = await detectCapabilities(connection);
const list = await time(() => listNotebooks(connection, owner, {}));
const title = await time(() => listNotebooks(connection, owner, { query: "zephyr" }));
const text = await time(() => listNotebooks(connection, owner, { query: "periwinkle" }));
const found = await listNotebooks(connection, owner, { query: "periwinkle" });
console.log(`${MESSAGES} messages in ${NOTEBOOKS} notebooks on ${engine} (${textSearch ? "text index" : `${found.searchedMessages} messages of the newest weeks searched, at most ${MESSAGE_SEARCH_WINDOW}`})`);
console.log(`  search by title:        ${title.toFixed(0).padStart(5)} ms`);
console.log(`  search in messages:     ${text.toFixed(0).padStart(5)} ms (found ${found.notebooks.length} notebook${found.notebooks.length === 1 ? "" : "s"})`);
console.log(`  baseline, plain list:   ${list.toFixed(0).padStart(5)} ms`);
console.log(`  target <= 200 ms: ${Math.max(title, text) <= 200 ? "met" : "missed"}`);

await closeConnection();
await ferret?.stop();
await postgres?.stop();
rmSync(dataDir, { recursive: true, force: true });
