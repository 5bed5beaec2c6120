import { Script, use, type StackContext } from "sst/constructs";
import { apiHandler } from "./paths.js";
import { Secrets } from "./config.js";
import { databaseFunctionProps } from "./functions.js";
import { Network } from "./network.js";
import { stageSettings } from "./settings.js";

/**
 * Data migrations (@tandem/core/migrations) at every deploy: a Script whose function runs, in the
 * VPC with the stage's secrets, the migrations the database has not recorded. The API and the
 * other stacks that run new code deploy after this one, so they start on migrated data; a failed
 * migration fails the deploy before any of them changes.
 */
export function Migrations({ stack, app }: StackContext) {
  const settings = stageSettings(app);
  const { secrets } = use(Secrets);
  const { vpc } = use(Network);
  const handler = apiHandler("jobs/migrate");
  const script = new Script(stack, "DataMigrations", {
    // Lambda's longest run: a migration over a large collection may take minutes.
    defaults: { function: { ...databaseFunctionProps({ settings, stage: app.stage, vpc, secrets }), timeout: 900 } },
    onCreate: handler,
    // No version: it runs at every deploy, and does nothing when every migration is recorded.
    onUpdate: handler,
  });
  return { script };
}
