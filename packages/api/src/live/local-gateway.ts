import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { isDomainError } from "@tandem/core/errors";
import { closeLiveConnection, FanOut, handleLiveMessage, openLiveConnection, type LiveAccess, type LiveContext, type LiveGateway } from "@tandem/core/live";
import type { Connection } from "mongoose";
import { WebSocketServer, type WebSocket } from "ws";
import { MAX_LIVE_MESSAGE_BYTES } from "@tandem/client/contract";

export interface LocalLiveServer {
  /** ws://host:port/ — what LIVE_URL is set to. */
  readonly url: string;
  readonly fanOut: FanOut;
  /** Open connections (for tests). */
  connections(): number;
  close(): Promise<void>;
}

export interface LocalLiveOptions {
  readonly connection: Connection;
  readonly sessionSecret: string;
  readonly appOrigin: string;
  readonly access: LiveAccess;
  readonly port?: number;
  readonly host?: string;
  readonly pollMs?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * The WebSocket API and the fan-out as one local process, for `pnpm dev` and tests: it plays API
 * Gateway's part (accepts the upgrade, runs the same $connect, $default and $disconnect code the
 * Lambda functions run, keeps the sockets) and runs the same fan-out the container runs on AWS.
 */
export async function startLocalLiveServer(options: LocalLiveOptions): Promise<LocalLiveServer> {
  const sockets = new Map<string, WebSocket>();
  const gateway: LiveGateway = {
    send(connectionId, message) {
      const socket = sockets.get(connectionId);
      if (!socket || socket.readyState !== socket.OPEN) return Promise.resolve(false);
      return new Promise((resolve) => socket.send(message, (error) => resolve(!error)));
    },
    close(connectionId) {
      sockets.get(connectionId)?.close(1008, "closed");
      return Promise.resolve();
    },
  };
  const ctx: LiveContext = { connection: options.connection, gateway, sessionSecret: options.sessionSecret, appOrigin: options.appOrigin, access: options.access };
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_LIVE_MESSAGE_BYTES });
  const server = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("Connect with a WebSocket.\n");
  });
  const refuse = (socket: Duplex, status: number, reason: string) => {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  };
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const connectionId = randomUUID();
    const ticket = new URL(req.url ?? "/", "http://local").searchParams.get("ticket") ?? undefined;
    const origin = typeof req.headers.origin === "string" ? req.headers.origin : undefined;
    openLiveConnection(ctx, { connectionId, ticket, origin }).then(
      () => {
        wss.handleUpgrade(req, socket, head, (ws) => {
          sockets.set(connectionId, ws);
          // One message at a time per connection, in order, as API Gateway delivers them to $default.
          let queue = Promise.resolve();
          ws.on("message", (data) => {
            queue = queue.then(() => handleLiveMessage(ctx, connectionId, String(data))).catch((error: unknown) => options.onError?.(error));
          });
          // A message over the limit, or a broken frame: ws closes the socket (1009 / 1002) and reports it here.
          ws.on("error", () => undefined);
          ws.on("close", () => {
            sockets.delete(connectionId);
            void closeLiveConnection(ctx, connectionId).catch((error: unknown) => options.onError?.(error));
          });
        });
      },
      (error: unknown) => {
        if (isDomainError(error) && error.kind === "forbidden") refuse(socket, 403, "Forbidden");
        else if (isDomainError(error) && error.kind === "unauthenticated") refuse(socket, 401, "Unauthorized");
        else {
          options.onError?.(error);
          refuse(socket, 503, "Service Unavailable");
        }
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const fanOut = new FanOut({ connection: options.connection, gateway, access: options.access, pollMs: options.pollMs, onError: options.onError });
  fanOut.start();
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://${options.host ?? "127.0.0.1"}:${port}/`,
    fanOut,
    connections: () => sockets.size,
    async close() {
      await fanOut.stop();
      for (const ws of sockets.values()) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
