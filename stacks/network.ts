import * as ec2 from "aws-cdk-lib/aws-ec2";
import type { StackContext } from "sst/constructs";
import { stageSettings } from "./settings.js";

/**
 * The VPC the API runs in, so that it can reach a DocumentDB cluster. VPC_ID imports the
 * customer's VPC (looked up once, answers kept in cdk.context.json); without it a VPC is created.
 */
export function Network({ stack, app }: StackContext) {
  const settings = stageSettings(app);
  const vpc = settings.vpcId
    ? ec2.Vpc.fromLookup(stack, "Vpc", { vpcId: settings.vpcId })
    : new ec2.Vpc(stack, "Vpc", {
        // Two AZs keep the API up through one AZ's outage; one NAT gateway (about 32 USD a
        // month) instead of one per AZ, as seed 000 recommends: losing it only pauses egress.
        maxAzs: 2,
        natGateways: 1,
        subnetConfiguration: [
          { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
          { name: "private", subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        ],
      });
  stack.addOutputs({ VpcId: vpc.vpcId });
  return { vpc, imported: Boolean(settings.vpcId) };
}
