import { z } from "zod";

export const DatabaseCheck = z.object({
  status: z.enum(["up", "down"]),
  latencyMs: z.number().int().nonnegative(),
  engine: z.enum(["mongodb", "documentdb", "ferretdb"]).optional(),
  reason: z.string().optional().describe("Why the database is down, when it is"),
});

export const StorageCheck = z
  .object({
    status: z.enum(["up", "down", "not_configured"]).describe("not_configured when this Tandem has no knowledge-files bucket"),
    latencyMs: z.number().int().nonnegative(),
    reason: z.string().optional().describe("Why storage is down, when it is"),
  })
  .describe("S3: a HeadBucket on the knowledge-files bucket, with a 2-second deadline");

export const HealthResponse = z
  .object({
    status: z.enum(["ok", "degraded"]).describe("ok when every dependency answers"),
    service: z.literal("tandem-api"),
    version: z.string(),
    stage: z.string(),
    time: z.string().datetime(),
    checks: z.object({ database: DatabaseCheck, storage: StorageCheck }),
  })
  .describe(
    "503 while the database is down (the API can do nothing useful). Storage down makes the status degraded but answers 200: sign-in, notebooks and chat still work, and only files and images answer 503 until it is back.",
  );
export type HealthResponse = z.infer<typeof HealthResponse>;
