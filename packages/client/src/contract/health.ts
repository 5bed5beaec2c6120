import { z } from "zod";

export const DatabaseCheck = z.object({
  status: z.enum(["up", "down"]),
  latencyMs: z.number().int().nonnegative(),
  engine: z.enum(["mongodb", "documentdb", "ferretdb"]).optional(),
  reason: z.string().optional().describe("Why the database is down, when it is"),
});

export const HealthResponse = z.object({
  status: z.enum(["ok", "degraded"]).describe("ok when every dependency answers"),
  service: z.literal("tandem-api"),
  version: z.string(),
  stage: z.string(),
  time: z.string().datetime(),
  checks: z.object({ database: DatabaseCheck }),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
