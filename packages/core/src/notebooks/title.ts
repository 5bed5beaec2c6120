import type { Connection } from "mongoose";
import { costOf, streamChat, type ModelEntry } from "../ai/index.js";
import { claimOnce, isDuplicateKeyError, withLease } from "../database/index.js";
import { priceUsage } from "../metering/prices.js";
import { meterTandemUsage } from "../metering/tandem.js";
import { reserveSpend, settleSpend } from "../spend/index.js";
import { withTenant } from "../tenancy/index.js";
import type { ChatServices } from "./chat.js";
import { notebookModel, usageEventModel } from "./model.js";
import { notifyNotebook } from "../live/events.js";
import { DEFAULT_TITLE, getNotebook, titleLease, type Notebook, type Owner } from "./notebooks.js";

const MAX_TITLE = 80;
const TITLE_TOKENS = 24;

/** A title from the question alone: its first line, cut at a word, when the model cannot name it. */
export function titleFromText(text: string): string {
  const line = text.split("\n").map((l) => l.replace(/\s+/g, " ").trim()).find(Boolean) ?? "";
  if (!line) return DEFAULT_TITLE;
  if (line.length <= 60) return line;
  const cut = line.slice(0, 60);
  return `${cut.slice(0, cut.lastIndexOf(" ") > 30 ? cut.lastIndexOf(" ") : 60).trimEnd()}…`;
}

/** The model's answer as a title: one line, no quotes, markup or closing full stop. */
function cleanTitle(answer: string): string {
  const line = answer.split("\n").map((l) => l.trim()).find(Boolean) ?? "";
  const cleaned = line
    .replace(/^(title:\s*)/i, "")
    .replace(/[*_#`]/g, "")
    .replace(/^["'“”‘’]+|["'“”‘’]+$/g, "")
    .replace(/[.!]+$/, "")
    .replace(/\p{Cc}/gu, "")
    .trim();
  return cleaned.slice(0, MAX_TITLE).trim();
}

/**
 * Names a notebook from its first exchange, with the reply's model (metered and checked against
 * the spend caps like any model call), or from the question when the model cannot be used. Only a
 * notebook still called "Untitled notebook" and never named by its owner is named; returns it then.
 */
export async function nameNotebook(
  connection: Connection,
  owner: Owner,
  notebookId: string,
  exchange: { question: string; answer: string; model: ModelEntry },
  services: ChatServices,
  now: () => Date = () => new Date(),
): Promise<Notebook | undefined> {
  const unnamed = (n: { title: string; titledBy?: string | null }) => n.title === DEFAULT_TITLE && !n.titledBy;
  const before = await withTenant(owner.tenantId, () => notebookModel(connection).findOne({ _id: notebookId }).lean());
  if (!before || !unnamed(before)) return undefined;
  // Replies finishing at once in a new notebook: one of them names it (one model call, not one each).
  if (!(await claimOnce(connection, "notebook_title_claims", notebookId))) return undefined;

  let title = "";
  const prompt = `Question:\n${exchange.question.slice(0, 2000)}\n\nAnswer:\n${exchange.answer.slice(0, 2000)}`;
  const ceiling = { inputTokens: Math.ceil(prompt.length / 3) + 64, outputTokens: TITLE_TOKENS };
  try {
    const reservation = await reserveSpend(connection, { ...owner, organisationName: services.organisationName }, costOf(exchange.model, ceiling), now());
    let cost = 0;
    try {
      const result = await streamChat(services.bedrock, {
        model: exchange.model,
        systemPrompt: "Name the conversation below in at most six words, in the language of the question. Answer with the title alone.",
        history: [{ role: "user", text: prompt }],
        guardrail: services.policy.guardrail,
        maxTokens: TITLE_TOKENS,
      });
      title = cleanTitle(result.text);
      if (result.inputTokens + result.outputTokens > 0) {
        const tokens = { inputTokens: result.inputTokens, outputTokens: result.outputTokens };
        const priced = await priceUsage(connection, services.catalog, exchange.model, tokens, now()).catch(() => ({ costUsd: costOf(exchange.model, tokens), priceVersion: null }));
        cost = priced.costUsd;
        try {
          const usage = await usageEventModel(connection).create({ idempotencyKey: `title:${notebookId}`, kind: "title", userId: owner.userId, notebookId, modelId: exchange.model.id, ...tokens, ...priced, status: "complete", at: now() });
          await meterTandemUsage(connection, [usage.toObject()]).catch(() => undefined);
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
        }
      }
    } finally {
      await settleSpend(connection, reservation, cost).catch(() => undefined);
    }
  } catch {
    // A cap reached, or the model failing: the question names it (nothing is charged for that).
  }
  title ||= titleFromText(exchange.question);
  if (title === DEFAULT_TITLE) return undefined;
  return withLease(
    connection,
    titleLease(notebookId),
    async () => {
      const current = await withTenant(owner.tenantId, () => notebookModel(connection).findOne({ _id: notebookId }).lean());
      if (!current || !unnamed(current)) return undefined;
      await withTenant(owner.tenantId, () => notebookModel(connection).updateOne({ _id: notebookId }, { $set: { title, titledBy: "auto" } }));
      const named = await getNotebook(connection, owner, notebookId, "read");
      await notifyNotebook(connection, owner, notebookId, "notebook.changed", { title: named.title });
      return named;
    },
    { waitMs: 5_000, what: "This notebook's title" },
  );
}
