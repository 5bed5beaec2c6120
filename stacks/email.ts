import * as iam from "aws-cdk-lib/aws-iam";
import * as ses from "aws-cdk-lib/aws-ses";
import type { StackContext } from "sst/constructs";

/**
 * Sending mail through SES. The sending domain is verified once per account by the operator
 * (seed 000: SES > Verify Sending Domain, then Request Production Access); an identity is
 * account-wide, so stacks do not create it, or a dev and a PR stage would fight over it.
 * Each stage gets its own configuration set, so bounces and complaints are counted per stage.
 */
export function Email({ stack }: StackContext) {
  const configurationSet = new ses.ConfigurationSet(stack, "ConfigurationSet", {
    reputationMetrics: true,
    // Addresses that bounced or complained are not mailed again: repeated sends to them are what
    // gets an account's sending paused.
    suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
  });
  const sendPolicy = new iam.PolicyStatement({
    actions: ["ses:SendEmail", "ses:SendRawEmail"],
    resources: [
      stack.formatArn({ service: "ses", resource: "identity", resourceName: "*" }),
      stack.formatArn({ service: "ses", resource: "configuration-set", resourceName: configurationSet.configurationSetName }),
    ],
  });
  stack.addOutputs({ SesConfigurationSet: configurationSet.configurationSetName });
  return { configurationSet, sendPolicy };
}
