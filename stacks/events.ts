import * as events from "aws-cdk-lib/aws-events";
import type { StackContext } from "sst/constructs";

/**
 * The control plane's event bus: the control plane's requests (source `sbt.control.plane`) and
 * the application planes' answers (`sbt.application.plane`), with SBT-AWS v0.9's detail types, so
 * an SBT application plane can subscribe with a rule of its own. Tandem's own consumers are wired
 * in the API stack (a rule to a queue with a dead-letter queue).
 */
export function Events({ stack }: StackContext) {
  const bus = new events.EventBus(stack, "ControlPlaneBus", { eventBusName: `${stack.stackName}-control-plane` });
  stack.addOutputs({ EventBusName: bus.eventBusName, EventBusArn: bus.eventBusArn });
  return { bus };
}
