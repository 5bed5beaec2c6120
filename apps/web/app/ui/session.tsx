"use client";

import type { MeResponse } from "@tandem/client/contract";
import { useCallback, useEffect, useState } from "react";
import { api, ApiProblem } from "../../lib/browser-api";

export type SessionState = { status: "loading" } | { status: "signed-out" } | { status: "signed-in"; me: MeResponse } | { status: "error"; message: string };

/** Who is signed in, from /api/me; reload() after anything that changes it. */
export function useSession(): SessionState & { reload: () => void } {
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
