import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GoneException, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";

/**
 * Where messages to a connection go: API Gateway's management API on AWS (the WebSocket API's
 * @connections endpoint), the local gateway's own sockets in `pnpm dev` and tests.
 */
export interface LiveGateway {
  /** False when the connection is gone (its record should be dropped). */
  send(connectionId: string, message: string): Promise<boolean>;
  close(connectionId: string): Promise<void>;
}

/** API Gateway's @connections endpoint: https://{api-id}.execute-api.{region}.amazonaws.com/{stage}. */
export function apiGatewayLiveGateway(endpoint: string, client = new ApiGatewayManagementApiClient({ endpoint })): LiveGateway {
  return {
    async send(connectionId, message) {
      try {
        await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(message) }));
        return true;
      } catch (error) {
        if (error instanceof GoneException || (error as { name?: string }).name === "GoneException") return false;
        throw error;
      }
    },
    async close(connectionId) {
      try {
        await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      } catch (error) {
        if (!(error instanceof GoneException || (error as { name?: string }).name === "GoneException")) throw error;
      }
    },
  };
}
