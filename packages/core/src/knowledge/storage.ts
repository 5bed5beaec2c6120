import { HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { UnavailableError } from "../errors/index.js";

/** How long a call to S3 may take before Tandem says storage is unavailable. */
export const STORAGE_TIMEOUT_MS = 5_000;

/** S3's answer for a missing object or bucket (404), as opposed to S3 not answering. */
export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === "NotFound" || e?.name === "NoSuchKey" || e?.name === "NoSuchBucket" || e?.$metadata?.httpStatusCode === 404;
}

/**
 * S3 did not answer (refused connection, timeout, 5xx, throttling): the failure is ours and
 * passing, so the person is told storage is unavailable and to try later, never to upload again.
 */
export function isStorageOutage(error: unknown): boolean {
  const e = error as { $metadata?: { httpStatusCode?: number } } | undefined;
  if (!e || typeof e !== "object") return false;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429 || status === 408;
  // No HTTP answer at all: network errors, aborted (timed-out) requests.
  return true;
}

export function storageUnavailable(what: string, cause?: unknown): UnavailableError {
  return new UnavailableError(`File storage is not answering right now, so ${what}. Nothing is lost; try again in a few minutes.`, "storage.unavailable", { cause });
}

/** Options for `s3.send` with a deadline, so an unreachable S3 is an answer within seconds, not a hang. */
export function deadline(timeoutMs = STORAGE_TIMEOUT_MS): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(timeoutMs) };
}

export interface StorageProbe {
  readonly status: "up" | "down";
  readonly latencyMs: number;
  readonly reason?: string;
}

/** HeadBucket on the bucket, with a short deadline and no retries, for /api/health. */
export async function probeStorage(s3: S3Client, bucket: string, timeoutMs = 2_000): Promise<StorageProbe> {
  const started = performance.now();
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(timeoutMs) });
    return { status: "up", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const detail = e?.$metadata?.httpStatusCode ? `HTTP ${e.$metadata.httpStatusCode}${e.name ? ` ${e.name}` : ""}` : (e?.message ?? String(error));
    return { status: "down", latencyMs: Math.round(performance.now() - started), reason: `The file storage bucket did not answer: ${detail}` };
  }
}
