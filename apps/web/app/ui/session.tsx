"use client";

import type { MeResponse } from "@tandem/client/contract";
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { api, ApiProblem } from "../../lib/browser-api";

export type SessionState = { status: "loading" } | { status: "signed-out" } | { status: "signed-in"; me: MeResponse } | { status: "error"; message: string };
type Session = SessionState & { reload: () => void };

/** Loads /api/me; reload() after anything that changes it. */
function useSessionState(): Session {
  const [state, setState] = useState<SessionState>({ status: "loading" });
  const load = useCallback(() => {
    api<MeResponse>("/api/me").then(
      (me) => setState({ status: "signed-in", me }),
      (error: unknown) => setState(error instanceof ApiProblem && error.status === 401 ? { status: "signed-out" } : { status: "error", message: error instanceof Error ? error.message : String(error) }),
    );
  }, []);
  useEffect(load, [load]);
  return { ...state, reload: load };
}

const SessionContext = createContext<Session | undefined>(undefined);

/** One /api/me for the whole page: the shell and the page share it, and a reload updates both. */
export function SessionProvider({ children }: { children: ReactNode }) {
  return <SessionContext.Provider value={useSessionState()}>{children}</SessionContext.Provider>;
}

/** Who is signed in, from /api/me; reload() after anything that changes it. */
export function useSession(): Session {
  const shared = useContext(SessionContext);
  if (!shared) throw new Error("useSession needs the SessionProvider of the root layout");
  return shared;
}
