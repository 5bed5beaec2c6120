import { describe, expect, it } from "vitest";
import { inProcessQueue, type Job } from "../src/jobs/index.js";

/** pnpm dev's in-process jobs: a mail job that meets the database away is tried again, as SQS would. */
const job: Job = { kind: "mail.password_reset", email: "ada@example.com" };
const away = Object.assign(new Error("connect ECONNREFUSED"), { name: "MongoServerSelectionError" });

describe("the in-process jobs queue", () => {
  it("tries a job again while its failure may pass, and reports only what will not", async () => {
    let runs = 0;
    const failures: unknown[] = [];
    const queue = inProcessQueue(
      async () => {
        runs += 1;
        if (runs < 3) throw away;
      },
      (error) => failures.push(error),
      { retryable: (e) => e === away, retryDelaysMs: [10, 10, 10] },
    );
    await queue.enqueue(job);
    await expect.poll(() => runs).toBe(3);
    expect(failures).toEqual([]);

    const broken = new Error("a bug");
    const reported: unknown[] = [];
    let tries = 0;
    await inProcessQueue(
      async () => {
        tries += 1;
        throw broken;
      },
      (error) => reported.push(error),
      { retryable: (e) => e === away, retryDelaysMs: [10, 10] },
    ).enqueue(job);
    await expect.poll(() => reported).toEqual([broken]);
    expect(tries).toBe(1);
  });

  it("gives up after its last attempt and says so", async () => {
    const reported: unknown[] = [];
    let tries = 0;
    await inProcessQueue(
      async () => {
        tries += 1;
        throw away;
      },
      (error) => reported.push(error),
      { retryable: () => true, retryDelaysMs: [5, 5] },
    ).enqueue(job);
    await expect.poll(() => reported).toEqual([away]);
    expect(tries).toBe(3);
  });
});
