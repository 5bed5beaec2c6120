/**
 * The control plane (`<app url>/control-plane/`, SBT's CONTROL_PLANE_API_ENDPOINT) is served by the
 * API too: passed through exactly as /api/* is.
 */
export const dynamic = "force-dynamic";
export { GET, POST, PUT, PATCH, DELETE } from "../../api/[...path]/route";
