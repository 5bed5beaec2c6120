import { verifyAuditChain, type VerifyResult } from "@tandem/core/audit";
import { closeConnection, getConnection } from "@tandem/core/database";
import { startLocalServices } from "@tandem/local";

const CHAIN = /^(system|[0-9a-fA-F]{24})$/;

/** One line per chain checked, then the first broken entry, if any. */
export function describeVerification(result: VerifyResult): string[] {
  const lines = result.chains.map((chain) => {
    const from = chain.anchoredAt !== undefined ? `from ${chain.anchoredAt + 1} (retention anchor at ${chain.anchoredAt})` : "from 1";
    if (chain.ok) return `ok      ${chain.tenantId}: ${chain.checked} entries ${from} to ${chain.lastSeq}`;
    return `BROKEN  ${chain.tenantId}: ${chain.checked} entries read ${from}; entry ${chain.broken!.seq} is wrong`;
  });
  if (result.chains.length === 0) lines.push("No audit entries yet: nothing to check.");
  const broken = result.firstBroken;
  if (broken) {
    lines.push(`First broken entry: tenant ${broken.tenantId}, seq ${broken.seq}, id ${broken.id}: ${broken.reason}.`);
    lines.push("Entries from there on cannot be trusted. Compare them with an earlier export (GET /control-plane/audit/export) and find out who had write access to the database.");
  } else if (result.chains.length) {
    lines.push(`All ${result.chains.length} chain${result.chains.length === 1 ? "" : "s"} verify (${result.checked} entries).`);
  }
  return lines;
}

/**
 * `pnpm tandem audit verify [--tenant <id>]`: checks each chain of the audit log (or one: an
 * organisation's id, or "system") against its hashes. The database is MONGODB_URI, or the local
 * one, started for the command when `pnpm dev` is not running.
 */
export async function auditVerify(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ok: boolean; lines: string[] }> {
  const at = args.indexOf("--tenant");
  const tenant = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0 && (!tenant || !CHAIN.test(tenant))) throw new Error('Name the chain to check: pnpm tandem audit verify --tenant <organisation id> (24 hexadecimal digits), or --tenant system; leave --tenant out to check every chain.');
  const services = env.MONGODB_URI ? undefined : await startLocalServices({ persistent: true, allowRealAws: false, env }).catch((error: unknown) => {
    throw new Error(`The local database could not start (${error instanceof Error ? error.message : String(error)}). If pnpm dev is running, run this with MONGODB_URI set to its database (pnpm services prints it).`);
  });
  try {
    const connection = await getConnection({ uri: env.MONGODB_URI ?? `${services!.mongodbUri}/tandem-local` });
    const result = await verifyAuditChain(connection, tenant?.toLowerCase());
    return { ok: result.ok, lines: describeVerification(result) };
  } finally {
    await closeConnection();
    await services?.stop();
  }
}
