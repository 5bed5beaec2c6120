import { answerActivation, ControlPlaneEvent, DETAIL_TYPES, markHandled, provisionFailed, provisionTenant, recordAnswer, type EventPublisher, type OutboxEvent } from "@tandem/core/control-plane";
import { inviteMail } from "@tandem/core/mail";
import { ingestUsage } from "@tandem/core/metering";
import { INVITE_TTL_MS } from "@tandem/core/tenants";
import type { AppDeps } from "./deps.js";
import { tokenLink } from "./http/mail.js";

/**
 * The control plane's events, handled where they arrive: the events queue's consumer on AWS
 * (EventBridge rule → SQS → jobs/events.ts), or this process when there is no bus (pnpm dev,
 * tests without EVENT_BUS_NAME). Tandem's application plane provisions on onboarding requests and
 * answers; the control plane records the answers. A failure is thrown for a retry; on the last
 * attempt the application plane answers with the failure and its reason.
 */
export async function handleControlPlaneEvent(deps: Pick<AppDeps, "database" | "mailer" | "appUrl" | "events" | "logger">, raw: unknown, delivery: { lastAttempt: boolean } = { lastAttempt: true }): Promise<void> {
  const event = ControlPlaneEvent.parse(raw);
  const database = await deps.database();
  switch (event["detail-type"]) {
    case DETAIL_TYPES.onboardingRequest: {
      const eventId = String(event.detail.eventId ?? "");
      try {
        await provisionTenant(database, event, async ({ invite, answer: reply }) => {
          await deps.mailer.send(inviteMail({ to: invite.email, inviterName: "Tandem", organisation: invite.tenantName, url: tokenLink(deps, "/invites/accept", invite.token), expiresInDays: INVITE_TTL_MS / 86_400_000 }));
          await answer(deps.events, reply);
        });
      } catch (error) {
        if (!delivery.lastAttempt) throw error;
        deps.logger.error({ err: error, eventId }, "provisioning failed for good; answering with the failure");
        await answer(deps.events, provisionFailed(event, error instanceof Error ? error.message : String(error)));
        await markHandled(database, eventId);
      }
      return;
    }
    case DETAIL_TYPES.provisionSuccess:
    case DETAIL_TYPES.provisionFailure:
    case DETAIL_TYPES.deprovisionSuccess:
    case DETAIL_TYPES.deprovisionFailure:
      await recordAnswer(database, event);
      return;
    case DETAIL_TYPES.ingestUsage: {
      // Stored once by its idempotency key (or the event's id); a failure to store is thrown, so
      // the queue delivers it again: acknowledged only once stored.
      const result = await ingestUsage(database, [event.detail], "sbt", () => (typeof event.detail.eventId === "string" ? event.detail.eventId : event.id && `eventbridge:${event.id}`));
      if (result.rejected.length) deps.logger.warn({ reason: result.rejected[0]!.reason, meter: String(event.detail.meterApiName ?? "").slice(0, 64) }, "usage event refused");
      return;
    }
    case DETAIL_TYPES.activateRequest:
    case DETAIL_TYPES.deactivateRequest: {
      // Done by the control plane's own write; the application plane answers with the result, once.
      const reply = await answerActivation(database, event);
      if (reply) {
        await answer(deps.events, reply);
        await markHandled(database, String(event.detail.eventId));
      }
      return;
    }
    default:
      // Offboarding's removal of data runs after the grace period (housekeeping: offboardDueTenants);
      // the answers to activation and the user events are for SBT subscribers.
      return;
  }
}

async function answer(events: EventPublisher | undefined, event: OutboxEvent): Promise<void> {
  if (!events) throw new Error("There is no event bus to answer on (EVENT_BUS_NAME).");
  const accepted = await events.publish([event]);
  if (!accepted.includes(event.id)) throw new Error(`The event bus did not accept ${event.detailType}; it is tried again.`);
}

/**
 * Without a bus: events go to this process's handler after the answer, as EventBridge would
 * deliver them (each in its own turn; a failure is logged, and the sweeper's next run republishes
 * nothing, since the outbox entry was accepted: local development only).
 */
export function inProcessEvents(handle: (event: ControlPlaneEvent) => Promise<void>, log: (error: unknown, event: OutboxEvent) => void): EventPublisher {
  return {
    async publish(events) {
      for (const event of events) {
        setImmediate(() => {
          handle({ "detail-type": event.detailType, source: event.source, detail: JSON.parse(event.detail) as Record<string, unknown> }).catch((error: unknown) => log(error, event));
        });
      }
      return events.map((e) => e.id);
    },
  };
}
