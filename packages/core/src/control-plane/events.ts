import { randomUUID } from "node:crypto";
import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";

/**
 * SBT-AWS v0.9's events, so an SBT application plane can subscribe to Tandem's control plane:
 * detail types and sources as SBT names them. The control plane sends requests; the application
 * plane answers with results.
 */
export const EVENT_SOURCES = { controlPlane: "sbt.control.plane", applicationPlane: "sbt.application.plane" } as const;

export const DETAIL_TYPES = {
  onboardingRequest: "sbt_aws_onboardingRequest",
  provisionSuccess: "sbt_aws_provisionSuccess",
  provisionFailure: "sbt_aws_provisionFailure",
  offboardingRequest: "sbt_aws_offboardingRequest",
  deprovisionSuccess: "sbt_aws_deprovisionSuccess",
  deprovisionFailure: "sbt_aws_deprovisionFailure",
  activateRequest: "sbt_aws_activateRequest",
  activateSuccess: "sbt_aws_activateSuccess",
  activateFailure: "sbt_aws_activateFailure",
  deactivateRequest: "sbt_aws_deactivateRequest",
  deactivateSuccess: "sbt_aws_deactivateSuccess",
  deactivateFailure: "sbt_aws_deactivateFailure",
  tenantUserCreated: "sbt_aws_tenantUserCreated",
  tenantUserDeleted: "sbt_aws_tenantUserDeleted",
  // An application plane's usage, for the meters (metering/).
  ingestUsage: "sbt_aws_ingestUsage",
} as const;
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/** An event recorded in a tenant's outbox with the move that caused it. */
export interface OutboxEvent {
  /** Also in the detail as `eventId`: consumers act on an id once, so a republished event is harmless. */
  readonly id: string;
  readonly source: string;
  readonly detailType: DetailType;
  /** JSON, as EventBridge carries it. */
  readonly detail: string;
  readonly at: Date;
}

export function outboxEvent(detailType: DetailType, detail: Record<string, unknown>, now: Date = new Date(), source: string = EVENT_SOURCES.controlPlane): OutboxEvent {
  const id = randomUUID();
  return { id, source, detailType, detail: JSON.stringify({ ...detail, eventId: id }), at: now };
}

/** Where events go: an EventBridge bus (moto's locally), or nowhere when none is configured. */
export interface EventPublisher {
  /** Publishes the events; returns the ids that EventBridge accepted. */
  publish(events: readonly OutboxEvent[]): Promise<string[]>;
}

/** PutEvents on the bus, ten at a time (its limit per call); entries EventBridge refuses are left for a retry. */
export function eventBridgePublisher(client: EventBridgeClient, busName: string): EventPublisher {
  return {
    async publish(events) {
      const accepted: string[] = [];
      for (let i = 0; i < events.length; i += 10) {
        const batch = events.slice(i, i + 10);
        const result = await client.send(new PutEventsCommand({ Entries: batch.map((e) => ({ EventBusName: busName, Source: e.source, DetailType: e.detailType, Detail: e.detail, Time: e.at })) }));
        (result.Entries ?? []).forEach((entry, j) => {
          if (entry.EventId && !entry.ErrorCode) accepted.push(batch[j]!.id);
        });
      }
      return accepted;
    },
  };
}
