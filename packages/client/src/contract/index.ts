export { HealthResponse, DatabaseCheck } from "./health.js";
export { Problem } from "./problem.js";
