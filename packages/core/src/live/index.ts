export { publishLive, notifyNotebook, liveEventsSince, pruneLiveEvents, toLiveEvent, liveEventModel, LIVE_RETENTION_MS, LIVE_OVERLAP_MS, type LiveChange, type LiveEventDocument } from "./events.js";
export { issueLiveTicket, redeemLiveTicket, pruneLiveTicketClaims, LIVE_TICKET_TTL_MS, type LiveIdentity } from "./tickets.js";
export { openLiveConnection, closeLiveConnection, handleLiveMessage, liveConnectionModel, pruneLiveConnections, type LiveAccess, type LiveContext } from "./connections.js";
export { FanOut, type FanOutOptions, type FanOutRound } from "./fanout.js";
export { apiGatewayLiveGateway, type LiveGateway } from "./gateway.js";
