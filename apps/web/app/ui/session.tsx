"use client";

import type { MeResponse } from "@tandem/client/contract";
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";
import { api, ApiProblem } from "../../lib/browser-api";
import { useLoadUnlessServed } from "../../lib/served";

/** `operator`: whether the person is an operator, when the server rendering the page found out (the shell probes otherwise). */
export type SessionState = { status: "loading" } | { status: "signed-out" } | { status: "signed-in"; me: MeResponse; operator?: boolean } | { status: "error"; message: string };
type Session = SessionState & { reload: () => void };

/** Loads /api/me (unless the server already had it); reload() after anything that changes it. */
function useSessionState(initial: SessionState | undefined): Session {
  const [state, setState] = useState<SessionState>(initial ?? { status: "loading" });
  const load = useCallback(() => {
    api<MeResponse>("/api/me").then(
      (me) => setState({ status: "signed-in", me }),
      (error: unknown) => setState(error instanceof ApiProblem && error.status === 401 ? { status: "signed-out" } : { status: "error", message: error instanceof Error ? error.message : String(error) }),
    );
  }, []);
  useLoadUnlessServed(load, initial !== undefined);
  return { ...state, reload: load };
}

const SessionContext = createContext<Session | undefined>(undefined);

/**
 * One /api/me for the whole page: the shell and the page share it, and a reload updates both.
 * `initial`: what the server rendering the page knew (see lib/server-api), so the first HTML
 * already shows the signed-in shell.
 */
export function SessionProvider({ initial, children }: { initial?: SessionState; children: ReactNode }) {
  return <SessionContext.Provider value={useSessionState(initial)}>{children}</SessionContext.Provider>;
}

/** Who is signed in, from /api/me; reload() after anything that changes it. */
export function useSession(): Session {
  const shared = useContext(SessionContext);
  if (!shared) throw new Error("useSession needs the SessionProvider of the root layout");
  return shared;
}
