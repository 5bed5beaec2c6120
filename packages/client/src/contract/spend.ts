import { z } from "zod";

/** Spend caps in USD per day and per month (UTC); null or absent: no cap. */
const Usd = z.number().finite().min(0, "Caps are 0 or more dollars").max(1_000_000_000, "Use at most 1,000,000,000 dollars");
export const SpendLimits = z.object({ dayUsd: Usd.nullable().optional(), monthUsd: Usd.nullable().optional() }).strict();

/** An organisation's caps: for the whole organisation, and for each member. */
export const SpendCapsRequest = z
  .object({
    organisation: SpendLimits.optional(),
    member: SpendLimits.optional().describe("Every member's own caps"),
  })
  .strict();
export type SpendCapsRequest = z.infer<typeof SpendCapsRequest>;

const Spent = z.object({ dayUsd: z.number(), monthUsd: z.number() });
export const SpendSummaryResponse = z.object({
  caps: SpendCapsRequest,
  spent: z.object({ organisation: Spent, you: Spent }),
});
export type SpendSummaryResponse = z.infer<typeof SpendSummaryResponse>;
