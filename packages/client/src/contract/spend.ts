import { z } from "zod";

/** Spend caps in USD per day and per month (UTC); null or absent: no cap. */
const Usd = z.number().finite().min(0, "Caps are 0 or more dollars").max(1_000_000_000, "Use at most 1,000,000,000 dollars");
export const SpendLimits = z.object({ dayUsd: Usd.nullable().optional(), monthUsd: Usd.nullable().optional() }).strict();

/** A group's caps: what its members' replies may cost together, per day and per month. */
export const GroupSpendCaps = z.object({ groupId: z.string().regex(/^[0-9a-f]{24}$/, "Use a group id as the API returned it: 24 hexadecimal digits."), dayUsd: Usd.nullable().optional(), monthUsd: Usd.nullable().optional() }).strict();

/** An organisation's caps: for the whole organisation, for each member, and for each group of members. */
export const SpendCapsRequest = z
  .object({
    organisation: SpendLimits.optional(),
    member: SpendLimits.optional().describe("Every member's own caps"),
    groups: z
      .array(GroupSpendCaps)
      .max(200, "Cap at most 200 groups")
      .refine((groups) => new Set(groups.map((g) => g.groupId)).size === groups.length, "Name each group once")
      .optional()
      .describe("Caps of groups (GET /api/orgs/{orgId}/groups), shared by the group's members; absent: the groups' caps stay as they are, []: none"),
  })
  .strict();
export type SpendCapsRequest = z.infer<typeof SpendCapsRequest>;

const Spent = z.object({ dayUsd: z.number(), monthUsd: z.number() });
export const SpendSummaryResponse = z.object({
  caps: SpendCapsRequest,
  spent: z.object({
    organisation: Spent,
    you: Spent,
    groups: z.array(Spent.extend({ groupId: z.string(), name: z.string(), yours: z.boolean().describe("true when you are in the group") })).describe("What each group with a cap has spent"),
  }),
});
export type SpendSummaryResponse = z.infer<typeof SpendSummaryResponse>;
