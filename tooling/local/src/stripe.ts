import { existsSync } from "node:fs";
import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import getPort from "get-port";
import { run } from "./exec.js";
import { stampMatches } from "./install.js";
import { say, withProgress } from "./log.js";
import { BIN_DIR, BUILD_DIR, TANDEM_DIR } from "./paths.js";
import { startProcess, waitForPort } from "./process.js";

/**
 * Stripe's two local servers for the billing tests:
 * - stripe-mock (Stripe's own, a Go module): stateless; answers every documented endpoint and
 *   validates each request against Stripe's OpenAPI document.
 * - localstripe (PyPI): stateful customers, plans, subscriptions and invoices, for flows that
 *   re-read what they changed.
 * Both are reached with the real `stripe` library (host, port and protocol pointed at them).
 */
export const STRIPE_MOCK_MODULE = "github.com/stripe/stripe-mock";
export const STRIPE_MOCK_VERSION = "v0.203.0";
export const STRIPE_MOCK_BIN = path.join(BIN_DIR, "stripe-mock");
export const LOCALSTRIPE_VERSION = "1.15.10";
// Its own virtualenv: localstripe pins aiohttp, which moto and schemathesis must not share.
const LOCALSTRIPE_VENV = path.join(TANDEM_DIR, "localstripe-venv");
export const LOCALSTRIPE_BIN = path.join(LOCALSTRIPE_VENV, "bin", "localstripe");

export async function ensureStripeMock(): Promise<string> {
  const stamp = `${STRIPE_MOCK_BIN}.version`;
  if (existsSync(STRIPE_MOCK_BIN) && (await stampMatches(stamp, STRIPE_MOCK_VERSION))) return STRIPE_MOCK_BIN;
  await withProgress(`Building stripe-mock ${STRIPE_MOCK_VERSION} with go (first run only, about a minute)`, async () => {
    const gobin = path.join(BUILD_DIR, `stripe-mock-${process.pid}`);
    await mkdir(gobin, { recursive: true });
    await run("go", ["install", `${STRIPE_MOCK_MODULE}@${STRIPE_MOCK_VERSION}`], { env: { ...process.env, GOBIN: gobin, CGO_ENABLED: "0" } });
    await mkdir(BIN_DIR, { recursive: true });
    await rename(path.join(gobin, "stripe-mock"), STRIPE_MOCK_BIN);
    await writeFile(stamp, STRIPE_MOCK_VERSION);
  });
  return STRIPE_MOCK_BIN;
}

export async function ensureLocalStripe(): Promise<string> {
  const stamp = path.join(LOCALSTRIPE_VENV, ".version");
  if (existsSync(LOCALSTRIPE_BIN) && (await stampMatches(stamp, LOCALSTRIPE_VERSION))) return LOCALSTRIPE_BIN;
  await withProgress(`Installing localstripe ${LOCALSTRIPE_VERSION} from PyPI (first run only, under a minute)`, async () => {
    const python = process.env.PYTHON ?? "python3";
    if (!existsSync(path.join(LOCALSTRIPE_VENV, "bin", "pip"))) await run(python, ["-m", "venv", LOCALSTRIPE_VENV]);
    await run(path.join(LOCALSTRIPE_VENV, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", `localstripe==${LOCALSTRIPE_VERSION}`]);
    await chmod(LOCALSTRIPE_BIN, 0o755);
    await writeFile(stamp, LOCALSTRIPE_VERSION);
  });
  return LOCALSTRIPE_BIN;
}

export interface StripeServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startStripeMock(): Promise<StripeServer> {
  const binary = await ensureStripeMock();
  const port = await getPort({ host: "127.0.0.1" });
  const proc = startProcess("stripe-mock", binary, ["-http-addr", `127.0.0.1:${port}`]);
  await waitForPort(port, `stripe-mock ${STRIPE_MOCK_VERSION}`, proc.logFile, 30_000);
  const url = `http://127.0.0.1:${port}`;
  say(`stripe-mock ${STRIPE_MOCK_VERSION} is listening on ${url}`);
  return { url, stop: () => proc.stop() };
}

export async function startLocalStripe(): Promise<StripeServer> {
  const binary = await ensureLocalStripe();
  const port = await getPort({ host: "127.0.0.1" });
  const proc = startProcess("localstripe", binary, ["--port", String(port), "--from-scratch"]);
  await waitForPort(port, `localstripe ${LOCALSTRIPE_VERSION}`, proc.logFile, 30_000);
  const url = `http://127.0.0.1:${port}`;
  say(`localstripe ${LOCALSTRIPE_VERSION} is listening on ${url}`);
  return { url, stop: () => proc.stop() };
}
