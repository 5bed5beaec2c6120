import { Types, type Connection } from "mongoose";
import { z } from "zod";
import { claimOnce, withLease } from "../database/index.js";
import { ConflictError } from "../errors/index.js";
import { createInvite } from "../tenants/invites.js";
import { tenantModel } from "../tenants/model.js";
import { DETAIL_TYPES, EVENT_SOURCES, outboxEvent, type OutboxEvent } from "./events.js";
import { transitionTenant } from "./lifecycle.js";
import type { ControlPlaneTenant } from "./tenants.js";

/**
 * The two planes' handlers of each other's events, as EventBridge delivers them (through an SQS
 * queue on AWS, at least once, in any order): Tandem's application plane provisions a registered
 * tenant and answers; the control plane records the answer. Every handler is idempotent: the
 * event's id is claimed once its work is done, and a state that already moved is left alone.
 */
export const ControlPlaneEvent = z.object({
  // EventBridge's id of the event (absent when delivered in-process).
  id: z.string().optional(),
  "detail-type": z.string(),
  source: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type ControlPlaneEvent = z.infer<typeof ControlPlaneEvent>;

/** The inviter recorded on invitations the system sends (no person sent them). */
export const SYSTEM_INVITER = new Types.ObjectId("000000000000000000000000");

const OnboardingDetail = z.object({ tenantId: z.string().regex(/^[0-9a-f]{24}$/i), tenantName: z.string(), email: z.string().email(), eventId: z.string().min(1) });
const ResultDetail = z.object({ tenantId: z.string().regex(/^[0-9a-f]{24}$/i), eventId: z.string().min(1), reason: z.string().max(2000).optional() });
// (provisionSuccess / provisionFailure / deprovisionSuccess / deprovisionFailure)

export interface Provisioned {
  /** The owner's invitation, for the caller to mail (it holds the mailer). */
  readonly invite: { email: string; tenantName: string; token: string };
  /** The application plane's answer, for the caller to publish. */
  readonly answer: OutboxEvent;
}

/**
 * The application plane's side of onboarding: invites the registered owner (the organisation
 * itself exists since registration) and hands the invitation and the answer to `deliver` (which
 * mails and publishes); then the event is marked handled. Nothing happens when the tenant left
 * provisioning or the event was handled already. All of it runs under the tenant's lease, so
 * two deliveries of one event at once provision once: the second waits, then finds it handled.
 */
export async function provisionTenant(connection: Connection, event: ControlPlaneEvent, deliver: (provisioned: Provisioned) => Promise<void>, now: Date = new Date()): Promise<boolean> {
  const detail = OnboardingDetail.parse(event.detail);
  return withLease(
    connection,
    `provision:${detail.tenantId}`,
    async () => {
      if (await alreadyHandled(connection, detail.eventId)) return false;
      const tenant = await tenantModel(connection).findById(detail.tenantId).lean();
      if (!tenant || tenant.status !== "provisioning") return false;
      // A newer invitation to the same address replaces an older one, so a retry after a crash leaves one link that works.
      const { token } = await createInvite(connection, detail.tenantId, { userId: String(SYSTEM_INVITER), role: "owner" }, { email: detail.email, role: "owner" }, now);
      const answer = outboxEvent(DETAIL_TYPES.provisionSuccess, { tenantId: detail.tenantId, tenantName: detail.tenantName, requestId: detail.eventId }, now, EVENT_SOURCES.applicationPlane);
      await deliver({ invite: { email: detail.email, tenantName: detail.tenantName, token }, answer });
      await markHandled(connection, detail.eventId);
      return true;
    },
    { ttlMs: 120_000, waitMs: 30_000, what: "This tenant's provisioning" },
  );
}

/** Marks an event handled, after its work and answer are done; true if it was already. */
export async function markHandled(connection: Connection, eventId: string): Promise<void> {
  await claimOnce(connection, "control_plane_event_uses", eventId);
}
async function alreadyHandled(connection: Connection, eventId: string): Promise<boolean> {
  return Boolean(await connection.collection("control_plane_event_uses").findOne({ key: eventId }));
}

/** The application plane could not provision: its answer, with the reason, for the caller to publish. */
export function provisionFailed(event: ControlPlaneEvent, reason: string, now: Date = new Date()): OutboxEvent {
  const detail = OnboardingDetail.parse(event.detail);
  return outboxEvent(DETAIL_TYPES.provisionFailure, { tenantId: detail.tenantId, requestId: detail.eventId, reason: reason.slice(0, 2000) }, now, EVENT_SOURCES.applicationPlane);
}

/**
 * The control plane's side: records the application plane's answer as a move of the tenant
 * (provisioning → active, or → failed with the reason). A tenant that moved already is left as it is.
 */
export async function recordAnswer(connection: Connection, event: ControlPlaneEvent): Promise<ControlPlaneTenant | undefined> {
  const detail = ResultDetail.parse(event.detail);
  const type = event["detail-type"];
  const success = type === DETAIL_TYPES.provisionSuccess || type === DETAIL_TYPES.deprovisionSuccess;
  const during = type === DETAIL_TYPES.provisionSuccess || type === DETAIL_TYPES.provisionFailure ? "provisioning" : "offboarding";
  const done = during === "provisioning" ? "active" : "offboarded";
  try {
    return await transitionTenant(
      connection,
      detail.tenantId,
      success ? done : "failed",
      { actor: "application-plane", cause: success ? `${during === "provisioning" ? "provision" : "deprovision"} success` : `${during} failure: ${detail.reason ?? "no reason given"}` },
      () => [],
      undefined,
      success ? { failure: null } : { failure: { reason: detail.reason ?? "The application plane gave no reason.", during } },
      new Date(),
      // A late or repeated answer to a phase the tenant has left (a provisionFailure delivered
      // again after offboarding began) is ignored, never applied to the new phase.
      during === "provisioning" ? "provisioning" : "offboarding",
    );
  } catch (error) {
    // Delivered twice, or after the tenant moved on: nothing to record.
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}

const ActivationDetail = z.object({ tenantId: z.string().regex(/^[0-9a-f]{24}$/i), eventId: z.string().min(1) });

/**
 * The application plane's answer to an activate or deactivate request. Tandem's own work is done
 * by the control plane's write (sign-in follows the tenant's status from the next request), so the
 * answer says whether the tenant is in the state asked for: success, or failure with the state it
 * is in (moved again meanwhile). Once per event: a repeated delivery answers nothing.
 */
export async function answerActivation(connection: Connection, event: ControlPlaneEvent, now: Date = new Date()): Promise<OutboxEvent | undefined> {
  const detail = ActivationDetail.parse(event.detail);
  const activate = event["detail-type"] === DETAIL_TYPES.activateRequest;
  if (await alreadyHandled(connection, detail.eventId)) return undefined;
  const tenant = await tenantModel(connection).findById(detail.tenantId).select({ status: 1 }).lean();
  const wanted = activate ? "active" : "suspended";
  const ok = tenant?.status === wanted;
  const type = activate ? (ok ? DETAIL_TYPES.activateSuccess : DETAIL_TYPES.activateFailure) : ok ? DETAIL_TYPES.deactivateSuccess : DETAIL_TYPES.deactivateFailure;
  return outboxEvent(type, { tenantId: detail.tenantId, requestId: detail.eventId, ...(ok ? {} : { reason: `The tenant is ${tenant?.status ?? "gone"}, not ${wanted}.` }) }, now, EVENT_SOURCES.applicationPlane);
}
