import { doctor } from "./doctor.js";

export { doctor, QUOTAS, SKIPPABLE, type DoctorOptions, type DoctorReport } from "./doctor.js";

/**
 * `tandem-doctor --stage <stage> [--offline] [--skip ...]`: the deploy doctor for a customer
 * repository (its seed.yml runs it before each deploy); this repository runs it as `pnpm doctor`.
 */
export async function runDoctor(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const at = args.indexOf("--stage");
  const stage = at >= 0 ? args[at + 1] : (env.SEED_STAGE_NAME ?? env.SST_STAGE);
  if (!stage) {
    process.stderr.write("Name the stage to check: --stage dev\n");
    return 2;
  }
  const skipAt = args.indexOf("--skip");
  const skip = skipAt >= 0 ? (args[skipAt + 1] ?? "").split(",").filter(Boolean) : [];
  const report = await doctor(stage, env, { offline: args.includes("--offline"), skip });
  for (const line of report.lines) process.stdout.write(`${line}\n`);
  const failed = report.lines.filter((l) => l.startsWith("✗")).length;
  process.stdout.write(report.ok ? `\nThe stage "${stage}" is ready to deploy${report.skipped.length ? ` (${report.skipped.length} checks skipped)` : ""}.\n` : `\n${failed} problem${failed === 1 ? "" : "s"}: fix ${failed === 1 ? "it" : "them"}, then run the doctor again.\n`);
  return report.ok ? 0 : 1;
}
