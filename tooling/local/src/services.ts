import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startFerretDB, type FerretDB } from "./ferretdb.js";
import { startBedrockStandIn, type BedrockStandIn } from "./bedrock-standin.js";
import { say } from "./log.js";
import { startPostgres } from "./postgres.js";
import { startMoto, type Moto } from "./moto.js";
import { DATA_DIR } from "./paths.js";

export interface LocalServices {
  /** Base connection string (no database name). */
  readonly mongodbUri: string;
  readonly ferretdb?: FerretDB;
  readonly moto?: Moto;
  /** Environment for the API and tools: the database and the AWS endpoint. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export interface LocalServicesOptions {
  /** Keep data between runs (pnpm dev) or use a throw-away folder (tests). */
  readonly persistent: boolean;
  /** Whether real AWS may replace moto when credentials are configured (pnpm dev only). */
  readonly allowRealAws: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Start the Bedrock stand-in when real Bedrock is not in reach (pnpm dev); tests start their own. */
  readonly bedrock?: boolean;
}

function hasRealAws(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.AWS_PROFILE || (env.AWS_ACCESS_KEY_ID && env.AWS_ACCESS_KEY_ID !== "test"));
}

export async function startLocalServices(options: LocalServicesOptions): Promise<LocalServices> {
  const env = options.env ?? process.env;
  const stops: Array<() => Promise<void>> = [];
  const serviceEnv: Record<string, string> = {};
  let ferretdb: FerretDB | undefined;
  let moto: Moto | undefined;

  let mongodbUri = env.MONGODB_URI;
  if (mongodbUri) {
    say("MONGODB_URI is set: using that database instead of the embedded FerretDB");
  } else {
    // FerretDB on PostgreSQL: queries run as SQL with their filters, sorts and limits, as on a
    // real server (the SQLite backend reads whole collections).
    const dataDir = options.persistent ? path.join(DATA_DIR, "ferretdb-pg") : mkdtempSync(path.join(os.tmpdir(), "tandem-ferretdb-"));
    // mkdtemp makes it private; PostgreSQL may run as another user (as root: nobody) and must pass through.
    if (!options.persistent) chmodSync(dataDir, 0o711);
    const postgres = await startPostgres({ dataDir: path.join(dataDir, "postgres"), durable: options.persistent });
    ferretdb = await startFerretDB({ dataDir: path.join(dataDir, "ferretdb"), postgresUrl: postgres.url });
    mongodbUri = ferretdb.uri;
    const started = ferretdb;
    stops.push(async () => {
      await started.stop();
      await postgres.stop();
      if (!options.persistent) rmSync(dataDir, { recursive: true, force: true });
    });
  }

  if (env.AWS_ENDPOINT_URL) {
    say(`AWS_ENDPOINT_URL is set: using ${env.AWS_ENDPOINT_URL} instead of the embedded moto`);
  } else if (options.allowRealAws && hasRealAws(env)) {
    say("AWS credentials are set: using your real AWS account instead of the embedded moto");
  } else {
    moto = await startMoto();
    Object.assign(serviceEnv, moto.env);
    stops.push(moto.stop);
  }

  // Bedrock: the real service with real credentials, else the local stand-in (a test model).
  let bedrock: BedrockStandIn | undefined;
  if (env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME) {
    say(`AWS_ENDPOINT_URL_BEDROCK_RUNTIME is set: Bedrock calls go to ${env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME}`);
  } else if (options.allowRealAws && hasRealAws(env)) {
    say("Bedrock: using Amazon Bedrock in us-east-1 with your AWS credentials");
  } else if (options.bedrock !== false) {
    bedrock = await startBedrockStandIn({ tokenDelayMs: 15 });
    serviceEnv.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = bedrock.url;
    stops.push(bedrock.close);
    say(`Bedrock stand-in (local test model, not a real model) is listening on ${bedrock.url}`);
  }

  return {
    mongodbUri,
    ferretdb,
    moto,
    env: { ...serviceEnv, MONGODB_URI: mongodbUri },
    async stop() {
      await Promise.all(stops.map((stop) => stop()));
    },
  };
}
