import { Api as TandemApi } from "@tandem/stacks";
import { Bucket, use, type StackContext } from "sst/constructs";

/**
 * Acme's own additions to its Tandem installation: a route on Tandem's HTTP API (the web app
 * passes /api/* through, so it answers at https://app.<domain>/api/acme/status) and a bucket of
 * Acme's own for its exports.
 */
export function AcmeExtras({ stack }: StackContext) {
  const { api } = use(TandemApi);
  const exports = new Bucket(stack, "AcmeExports");
  // Function props, not a Function: the route takes Tandem's API defaults (Node 20, the VPC, the
  // stage's secrets), plus our bucket.
  api.addRoutes(stack, { "GET /api/acme/status": { function: { handler: "src/status.handler", bind: [exports] } } });
  stack.addOutputs({ AcmeExportsBucket: exports.bucketName });
  return { exports };
}
