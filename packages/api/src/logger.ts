import pino, { type Logger } from "pino";

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

export interface LoggerOptions {
  readonly stage: string;
  readonly level?: string;
  /** Human-readable colour lines for `pnpm dev`; JSON everywhere else. */
  readonly pretty?: boolean;
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = { stage: "local" }): Logger {
  const destination = options.destination ?? (options.pretty ? pino.transport({ target: "pino-pretty", options: { translateTime: "HH:MM:ss", ignore: "pid,hostname,service,stage,req,res,responseTime" } }) : process.stdout);
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "tandem-api", stage: options.stage },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
export type { Logger };
