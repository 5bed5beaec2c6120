import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { claimOnce, claimModel } from "../database/index.js";
import { UnauthenticatedError } from "../errors/index.js";
import type { Connection } from "mongoose";

/**
 * Tickets for the WebSocket connection. A browser cannot set headers on a WebSocket, and the
 * API Gateway's address is not the site's, so cookies do not reach it: the page asks the API
 * (with its session and anti-forgery token) for a ticket naming the person and the organisation,
 * signed with a key derived from SESSION_SECRET, valid for a minute and good for one connection.
 */
export const LIVE_TICKET_TTL_MS = 60_000;
const CLAIMS = "live_ticket_claims";

const Payload = z.object({ u: z.string().regex(/^[0-9a-f]{24}$/), t: z.string().regex(/^[0-9a-f]{24}$/), e: z.number().int(), n: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) }).strict();

export interface LiveIdentity {
  readonly userId: string;
  readonly tenantId: string;
}

const keyOf = (sessionSecret: string) => createHmac("sha256", sessionSecret).update("tandem live ticket v1").digest();
const sign = (key: Buffer, body: string) => createHmac("sha256", key).update(body).digest("base64url");

export function issueLiveTicket(sessionSecret: string, who: LiveIdentity, now: Date = new Date()): { ticket: string; expiresAt: Date } {
  const expiresAt = new Date(now.getTime() + LIVE_TICKET_TTL_MS);
  const body = Buffer.from(JSON.stringify({ u: who.userId, t: who.tenantId, e: expiresAt.getTime(), n: randomBytes(18).toString("base64url") })).toString("base64url");
  return { ticket: `${body}.${sign(keyOf(sessionSecret), body)}`, expiresAt };
}

const refused = () => new UnauthenticatedError("This live-update ticket is not valid (expired, used or altered). The page asks for a new one when it reconnects.", "live.ticket_invalid");

/** The person and organisation a ticket names, once: a second use is refused. */
export async function redeemLiveTicket(connection: Connection, sessionSecret: string, ticket: string, now: Date = new Date()): Promise<LiveIdentity> {
  if (ticket.length > 512) throw refused();
  const [body, signature, extra] = ticket.split(".");
  if (!body || !signature || extra !== undefined) throw refused();
  const expected = Buffer.from(sign(keyOf(sessionSecret), body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw refused();
  let payload: z.infer<typeof Payload>;
  try {
    payload = Payload.parse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
  } catch {
    throw refused();
  }
  if (payload.e < now.getTime()) throw refused();
  if (!(await claimOnce(connection, CLAIMS, payload.n, now))) throw refused();
  return { userId: payload.u, tenantId: payload.t };
}

/** Housekeeping: claims of tickets long expired. */
export async function pruneLiveTicketClaims(connection: Connection, now: Date = new Date()): Promise<number> {
  const result = await claimModel(connection, CLAIMS).deleteMany({ at: { $lt: new Date(now.getTime() - 10 * LIVE_TICKET_TTL_MS) } });
  return result.deletedCount ?? 0;
}
