import { loadStageSettings } from "@tandem/core/config";
import { readSstSecrets } from "@tandem/core/config/ssm";

/** The function's environment merged with the stage's secrets from SSM (where `pnpm sst secrets set` put them). */
export async function lambdaSource(env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string | undefined>> {
  const stage = loadStageSettings(env);
  // Optional secrets may be absent.
  const secrets = await readSstSecrets({ app: env.SST_APP ?? stage.app, stage: stage.stage, prefix: env.SST_SSM_PREFIX });
  return { ...env, ...secrets };
}
