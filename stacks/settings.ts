import { loadStageSettings, type StageSettings } from "@tandem/core/config";
import { CfnResource, type IAspect } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import type { App } from "sst/constructs";

/**
 * The stage variables, validated by the stage contract in core. Read from the environment SST
 * runs in: Seed's stage settings, or your shell / `.env.<stage>` for `pnpm sst deploy`.
 */
export function stageSettings(app: App): StageSettings {
  return loadStageSettings(process.env, { stage: app.stage });
}

/** How long a stage keeps its logs: a year in production (audits, incidents), two weeks elsewhere. */
export function logRetentionOf(settings: StageSettings): { name: "one_year" | "two_weeks"; days: number } {
  return settings.retainData ? { name: "one_year", days: 365 } : { name: "two_weeks", days: 14 };
}

/**
 * Gives every log group of the app the stage's retention: the functions' (their log-retention
 * resources), the APIs' access logs, and those SST's constructs make with their own defaults
 * (the site's image optimiser kept 3 days, API access logs forever).
 */
export class LogRetentionPolicy implements IAspect {
  constructor(private readonly days: number) {}
  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource)) return;
    if (node.cfnResourceType === "Custom::LogRetention" || node.cfnResourceType === "AWS::Logs::LogGroup") node.addPropertyOverride("RetentionInDays", this.days);
  }
}
