import { loadStageSettings, type StageSettings } from "@tandem/core/config";
import type { App } from "sst/constructs";

/**
 * The stage variables, validated by the stage contract in core. Read from the environment SST
 * runs in: Seed's stage settings, or your shell / `.env.<stage>` for `pnpm sst deploy`.
 */
export function stageSettings(app: App): StageSettings {
  return loadStageSettings(process.env, { stage: app.stage });
}
