/** A chat turn as Bedrock's Converse takes it (text only for now). */
export interface Turn {
  readonly role: "user" | "assistant";
  readonly text: string;
}

/** About 4 characters a token for English; a deliberate over-estimate keeps requests in bounds. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}

/**
 * Keeps the newest turns that fit the model's context window after the system prompt and the
 * room kept for the reply. The conversation always starts with a user turn (Converse requires it),
 * and the newest user turn is always kept, cut from its start if it alone is too long.
 */
export function trimHistory(turns: readonly Turn[], options: { contextWindow: number; systemPrompt?: string; reserveForReply: number }): Turn[] {
  const budget = options.contextWindow - options.reserveForReply - estimateTokens(options.systemPrompt ?? "");
  const kept: Turn[] = [];
  let used = 0;
  for (let i = turns.length - 1; i >= 0; i--) {
    const cost = estimateTokens(turns[i]!.text);
    if (used + cost > budget) break;
    kept.unshift(turns[i]!);
    used += cost;
  }
  while (kept.length && kept[0]!.role !== "user") kept.shift();
  if (kept.length === 0 && turns.length) {
    const last = turns[turns.length - 1]!;
    const chars = Math.max(1, Math.floor(Math.max(budget, 1) * 3.5));
    return [{ role: "user", text: last.text.slice(-chars) }];
  }
  return kept;
}
