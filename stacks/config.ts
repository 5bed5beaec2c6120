import { SECRET_NAMES } from "@tandem/core/config";
import { Config, type StackContext } from "sst/constructs";

/**
 * Every secret of the stage contract as an SST secret, stored in SSM by
 * `pnpm sst secrets set NAME value --stage <stage>`. Binding them to a function grants it read
 * access; the function reads them itself (packages/core/src/config/ssm.ts) so that optional
 * integrations may stay unset.
 */
export function Secrets({ stack }: StackContext) {
  const secrets = SECRET_NAMES.map((name) => new Config.Secret(stack, name));
  return { secrets };
}
