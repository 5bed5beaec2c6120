import { pino, type Logger } from "pino";

/**
 * Structured JSON logs. Anything that can carry a credential is redacted at the source, so a
 * secret or token never reaches CloudWatch even when a whole request or config is logged.
 */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  "*.password",
  "*.passwordHash",
  "*.token",
  "*.accessToken",
  "*.refreshToken",
  "*.secret",
  "*.clientSecret",
  "*.sessionSecret",
  "*.jwtSecret",
  "*.secretKey",
  "*.webhookSecret",
  "*.mongodbUri",
  "*.MONGODB_URI",
];

export function createLogger(options: { level?: string; stage: string; destination?: NodeJS.WritableStream } = { stage: "local" }): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "tandem-api", stage: options.stage },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? process.stdout,
  );
}
export type { Logger };
