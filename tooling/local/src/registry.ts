import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import getPort from "get-port";
import { startProcess, waitForPort } from "./process.js";
import { ROOT } from "./paths.js";

/**
 * A private npm registry on loopback (Verdaccio from npm, in its own process), as a customer's
 * registry for the @tandem scope: it holds what is published to it, and passes every other package
 * through to the public registry (npm's, or NPM_UPSTREAM_REGISTRY).
 */
export interface PrivateRegistry {
  readonly url: string;
  /** A publish token for the user the registry was started with. */
  readonly token: string;
  stop(): Promise<void>;
}

export async function startPrivateRegistry(options: { dir: string; upstream?: string }): Promise<PrivateRegistry> {
  const port = await getPort({ host: "127.0.0.1" });
  const storage = path.join(options.dir, "storage");
  mkdirSync(storage, { recursive: true });
  const upstream = options.upstream ?? process.env.NPM_UPSTREAM_REGISTRY ?? "https://registry.npmjs.org/";
  const config = path.join(options.dir, "config.yaml");
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(storage)}`,
      "auth:",
      "  htpasswd:",
      `    file: ${JSON.stringify(path.join(options.dir, "htpasswd"))}`,
      "    max_users: 10",
      "uplinks:",
      "  upstream:",
      `    url: ${JSON.stringify(upstream)}`,
      "    timeout: 60s",
      "packages:",
      // The scope lives here only: never looked up upstream, so nobody else's @tandem can slip in.
      "  '@tandem/*':",
      "    access: $authenticated",
      "    publish: $authenticated",
      "  '**':",
      "    access: $all",
      "    proxy: upstream",
      "log: { type: stdout, format: pretty, level: warn }",
      "max_body_size: 200mb",
      "",
    ].join("\n"),
  );
  const bin = path.join(ROOT, "node_modules", "verdaccio", "bin", "verdaccio");
  const server = startProcess("verdaccio", process.execPath, [bin, "--config", config, "--listen", `127.0.0.1:${port}`]);
  await waitForPort(port, "Verdaccio", server.logFile, 60_000);
  const url = `http://127.0.0.1:${port}/`;
  // A user, as `npm adduser` makes one; its token publishes and reads the scope.
  const response = await fetch(`${url}-/user/org.couchdb.user:tandem-release`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "tandem-release", password: "release-password-1", type: "user", roles: [], date: new Date().toISOString() }),
  });
  const body = (await response.json()) as { token?: string; error?: string };
  if (!response.ok || !body.token) {
    await server.stop();
    throw new Error(`Verdaccio refused to create the release user (${response.status} ${body.error ?? ""}); see ${server.logFile}`);
  }
  return { url, token: body.token, stop: () => server.stop() };
}
