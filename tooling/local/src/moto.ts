import getPort from "get-port";
import { ensureMoto } from "./install.js";
import { say } from "./log.js";
import { MOTO_VERSION } from "./paths.js";
import { startProcess, waitForPort } from "./process.js";

export interface Moto {
  readonly endpoint: string;
  /** Environment that points the AWS SDK at this moto server. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startMoto(options: { port?: number } = {}): Promise<Moto> {
  const binary = await ensureMoto();
  const port = options.port ?? (await getPort({ host: "127.0.0.1" }));
  const proc = startProcess("moto", binary, ["-H", "127.0.0.1", "-p", String(port)]);
  await waitForPort(port, `moto ${MOTO_VERSION}`, proc.logFile, 60_000);
  const endpoint = `http://127.0.0.1:${port}`;
  say(`moto ${MOTO_VERSION} (S3, SES, SQS, EventBridge, SSM, STS) is listening on ${endpoint}`);
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
    },
    stop: () => proc.stop(),
  };
}
