import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { SECRET_NAMES } from "./settings.js";

/**
 * Reads the stage's secrets where `pnpm sst secrets set` stores them:
 * `/sst/<app>/<stage>/Secret/<NAME>/value`, falling back to `/sst/<app>/.fallback/Secret/<NAME>/value`
 * (`pnpm sst secrets set-fallback`). Unlike `sst/node/config`, a secret that is not set is simply
 * absent here, so optional integrations stay off and `loadRuntimeConfig` names what is missing.
 */
export interface SsmSecretsOptions {
  readonly app: string;
  readonly stage: string;
  /** SST_SSM_PREFIX when SST provides it; defaults to /sst/<app>/<stage>/. */
  readonly prefix?: string;
  readonly client?: SSMClient;
  readonly names?: readonly string[];
}

// GetParameters accepts at most 10 names per call.
const BATCH = 10;

async function fetchParameters(client: SSMClient, paths: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const batches: string[][] = [];
  for (let i = 0; i < paths.length; i += BATCH) batches.push(paths.slice(i, i + BATCH));
  await Promise.all(
    batches.map(async (names) => {
      const result = await client.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
      for (const p of result.Parameters ?? []) if (p.Name && p.Value !== undefined) found.set(p.Name, p.Value);
    }),
  );
  return found;
}

export async function readSstSecrets(options: SsmSecretsOptions): Promise<Record<string, string>> {
  const client = options.client ?? new SSMClient({});
  const names = options.names ?? SECRET_NAMES;
  const prefix = options.prefix ?? `/sst/${options.app}/${options.stage}/`;
  const stagePath = (name: string) => `${prefix}Secret/${name}/value`;
  const fallbackPath = (name: string) => `/sst/${options.app}/.fallback/Secret/${name}/value`;

  const staged = await fetchParameters(client, names.map(stagePath));
  const unset = names.filter((n) => !staged.has(stagePath(n)));
  const fallback = unset.length ? await fetchParameters(client, unset.map(fallbackPath)) : new Map<string, string>();

  const secrets: Record<string, string> = {};
  for (const name of names) {
    const value = staged.get(stagePath(name)) ?? fallback.get(fallbackPath(name));
    if (value !== undefined) secrets[name] = value;
  }
  return secrets;
}
