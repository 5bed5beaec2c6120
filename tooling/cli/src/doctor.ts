import { loadRuntimeConfig, loadStageSettings, type Source } from "@tandem/core/config";
import { readSstSecrets } from "@tandem/core/config/ssm";
import { isDomainError } from "@tandem/core/errors";

export interface DoctorReport {
  readonly ok: boolean;
  readonly lines: string[];
}

/**
 * Checks a stage before it is deployed: its variables (this environment) and its secrets (SSM,
 * where `pnpm sst secrets set` stores them). Every problem is listed with the command that fixes it.
 */
export async function doctor(stage: string, env: Source): Promise<DoctorReport> {
  const lines: string[] = [];
  let ok = true;
  try {
    const settings = loadStageSettings(env, { stage });
    lines.push(`✓ stage variables of "${stage}" are valid`);
    lines.push(`  site: ${settings.siteDomain ? `https://${settings.siteDomain} (zone ${settings.hostedZone})` : "CloudFront address (no SERVER_DOMAIN / PREVIEW_DOMAIN)"}`);
    lines.push(`  VPC: ${settings.vpcId ?? "created by the stage"}; data: ${settings.retainData ? "retained" : "removed with the stage"}`);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    ok = false;
    lines.push(`✗ ${error.message}`);
  }
  const app = env.SEED_APP_NAME ?? "tandem";
  let secrets: Record<string, string>;
  try {
    secrets = await readSstSecrets({ app, stage });
  } catch (error) {
    lines.push(`✗ Could not read the secrets of "${stage}" from SSM: ${error instanceof Error ? error.message : String(error)}. Check your AWS credentials (AWS_PROFILE) and region.`);
    return { ok: false, lines };
  }
  try {
    const config = loadRuntimeConfig({ ...env, ...secrets }, { stage });
    lines.push(`✓ secrets of "${stage}" are valid (${Object.keys(secrets).length} set)`);
    for (const warning of config.warnings) lines.push(`! ${warning}`);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    ok = false;
    lines.push(`✗ ${error.message}`);
  }
  return { ok, lines };
}
