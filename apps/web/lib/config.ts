/**
 * The web app's settings, read once. TANDEM_API_URL is set by the web stack (the API's URL)
 * and by `pnpm dev` (the local API server).
 */
export const apiUrl: string = process.env.TANDEM_API_URL ?? "http://127.0.0.1:4000";
