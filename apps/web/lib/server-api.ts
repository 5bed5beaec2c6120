import type { MeResponse } from "@tandem/client/contract";
import { cookies } from "next/headers";
import { apiUrl } from "./config";

/**
 * Reading the API while the server renders a page, so that the first HTML already holds what
 * the page shows (the chat's thread, the shell's header) rather than "Loading…" until the
 * browser has run its JavaScript and fetched it.
 *
 * Only the short-lived access cookie is passed on, never the refresh cookie: a refresh rotates
 * the refresh token, and the new cookies would reach this server, not the browser (whose copy
 * would then be spent). An access token that has expired is therefore just "not known here":
 * the page renders without the data and the browser fetches it (refreshing the session) as before.
 */
const ACCESS_COOKIE = "tandem_access";
const REFRESH_COOKIE = "tandem_refresh";
/** A page's first byte waits at most this long for the API; past it the browser fetches instead. */
const TIMEOUT_MS = 1_500;

/** A GET as the signed-in person: its status and body, or undefined when it cannot be had here (no access cookie, API down or slow). */
async function serverFetch(path: string): Promise<{ status: number; body: unknown } | undefined> {
  const access = cookies().get(ACCESS_COOKIE)?.value;
  if (!access || !/^[\w.-]+$/.test(access)) return undefined;
  try {
    const response = await fetch(new URL(path, apiUrl), {
      headers: { accept: "application/json", cookie: `${ACCESS_COOKIE}=${access}` },
      cache: "no-store",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return { status: response.status, body: response.ok ? await response.json() : undefined };
  } catch {
    return undefined;
  }
}

/** The API's answer to a GET as the signed-in person, or undefined when it cannot be had here (no access cookie, refused, down, slow). */
export async function serverGet<T>(path: string): Promise<T | undefined> {
  const answer = await serverFetch(path);
  return answer?.status === 200 ? (answer.body as T) : undefined;
}

/**
 * What the server knows of the session: signed in (with /api/me, and whether the person is an
 * operator, which the header's Admin link shows), surely signed out (no session cookie at all), or
 * unknown (the browser finds out).
 */
export type InitialSession = { status: "signed-in"; me: MeResponse; operator?: boolean } | { status: "signed-out" } | undefined;

export async function serverSession(): Promise<InitialSession> {
  const jar = cookies();
  if (!jar.has(ACCESS_COOKIE) && !jar.has(REFRESH_COOKIE)) return { status: "signed-out" };
  const [me, probe] = await Promise.all([serverGet<MeResponse>("/api/me"), serverFetch("/control-plane/tenants?limit=1")]);
  if (!me) return undefined;
  const operator = probe?.status === 200 ? true : probe?.status === 403 ? false : undefined;
  return { status: "signed-in", me, ...(operator === undefined ? {} : { operator }) };
}
