import { z } from "zod";

/** RFC 9457 problem details, with Tandem's stable `code` and the request id for support. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe("Stable, dotted error code, e.g. request.invalid"),
  instance: z.string().optional(),
  requestId: z.string().optional(),
  issues: z.array(z.object({ name: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof Problem>;
