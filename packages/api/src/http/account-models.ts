import { accessProblem, discoverAccountModels, type AccountModels, type ModelEntry } from "@tandem/core/ai";
import { currentPrices } from "@tandem/core/metering";
import type { AppDeps } from "../deps.js";

/** How long what the account offers is kept (model access changes in the console are rare). */
const TTL_MS = 10 * 60_000;
/** After a failure, how long before asking Bedrock again. */
const RETRY_MS = 60_000;

let kept: { at: number; value?: AccountModels; problem?: string } | undefined;
let inFlight: Promise<void> | undefined;

/** What the AWS account's Bedrock offers, read at most every 10 minutes per instance; undefined without a control client. */
export async function accountModels(deps: AppDeps): Promise<{ account: AccountModels | null; problem?: string }> {
  const control = deps.ai.control;
  if (!control) return { account: null };
  const fresh = kept && Date.now() - kept.at < (kept.value ? TTL_MS : RETRY_MS);
  if (!fresh) {
    inFlight ??= (async () => {
      try {
        const prices = await currentPrices(await deps.database(), deps.ai.catalog).then((v) => v.prices).catch(() => ({}));
        kept = { at: Date.now(), value: await discoverAccountModels(control, deps.ai.catalog, prices) };
      } catch (error) {
        const name = (error as { name?: string }).name ?? "";
        const problem =
          name === "AccessDeniedException"
            ? "Tandem's role may not read this account's Bedrock models (bedrock:ListFoundationModels, ListInferenceProfiles, GetFoundationModelAvailability): redeploy the API stack, which grants them."
            : "Bedrock did not say which models this account offers; the catalog's list is shown. Try again in a minute.";
        kept = { at: Date.now(), ...(kept?.value ? { value: kept.value } : {}), problem };
      } finally {
        inFlight = undefined;
      }
    })();
    await inFlight;
  }
  return { account: kept?.value ?? null, ...(kept?.problem ? { problem: kept.problem } : {}) };
}

/** The catalog's models marked unavailable where the account cannot run them (the reason says what to do). */
export function withAccountAccess(models: readonly ModelEntry[], account: AccountModels | null): ModelEntry[] {
  if (!account) return [...models];
  return models.map((m) => {
    if (m.local || m.unavailable) return m;
    const problem = accessProblem(account, m.id);
    return problem ? { ...m, unavailable: problem } : m;
  });
}

/** For tests: forget what was read. */
export function forgetAccountModels(): void {
  kept = undefined;
}
