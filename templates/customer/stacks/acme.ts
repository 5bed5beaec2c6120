import { Api as TandemApi } from "@tandem/stacks";
import { Bucket, Function as SstFunction, use, type StackContext } from "sst/constructs";

/**
 * Acme's own additions to its Tandem installation: a route on Tandem's HTTP API (the web app
 * passes /api/* through, so it answers at https://app.<domain>/api/acme/status) and a bucket of
 * Acme's own for its exports.
 */
export function AcmeExtras({ stack }: StackContext) {
  const { api } = use(TandemApi);
  const exports = new Bucket(stack, "AcmeExports");
  const status = new SstFunction(stack, "AcmeStatus", {
    handler: "src/status.handler",
    runtime: "nodejs20.x",
    bind: [exports],
  });
  api.addRoutes(stack, { "GET /api/acme/status": status });
  stack.addOutputs({ AcmeExportsBucket: exports.bucketName });
  return { exports, status };
}
