import { mayReadNotebook } from "@tandem/core/notebooks";
import type { LiveAccess, LiveContext, LiveGateway } from "@tandem/core/live";
import type { Connection } from "mongoose";
import type { AppDeps } from "../deps.js";

/** Who may follow a notebook: the same rule its routes apply. */
export const notebookAccess =
  (connection: Connection): LiveAccess =>
  (who, notebookId) =>
    mayReadNotebook(connection, who, notebookId);

/** The live-updates context of this process's dependencies: the site's origin is APP_URL's. */
export async function liveContext(deps: Pick<AppDeps, "database" | "config" | "appUrl">, gateway: LiveGateway): Promise<LiveContext> {
  const connection = await deps.database();
  return { connection, gateway, sessionSecret: deps.config.sessionSecret, appOrigin: new URL(deps.appUrl).origin, access: notebookAccess(connection) };
}
