import { Writable } from "node:stream";
import { createDeps } from "../src/context.js";
import { createLogger } from "../src/logger.js";

export const TEST_SECRETS = {
  SESSION_SECRET: "test-session-secret-that-is-long-enough-0001",
  JWT_SECRET: "test-jwt-secret-that-is-long-enough-000000001",
};

/** A logger whose JSON lines the test can read back. */
export function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ stage: "test", destination });
  const text = () => chunks.join("");
  return {
    logger,
    text,
    lines: () => text().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export function testDeps(mongodbUri: string, logger = capturedLogger().logger) {
  return createDeps({ ...TEST_SECRETS, MONGODB_URI: mongodbUri, TANDEM_VERSION: "1.2.3-test" }, logger);
}
