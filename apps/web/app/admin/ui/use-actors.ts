"use client";

import { useEffect, useState } from "react";
import { controlPlane } from "../../../lib/control-plane";

/**
 * Names for the actors that records carry as ids ("operator:<userId>"): operators by their
 * address, from the operators' list when the API has it; anything else as it is.
 */
export function useActorNames(): (kind: string, id: string) => string | undefined {
  const [emails, setEmails] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    controlPlane.operators().then(
      (list) => setEmails(new Map(list.map((o) => [o.userId, o.email]))),
      () => undefined,
    );
  }, []);
  return (kind, id) => (kind === "operator" ? emails.get(id) : undefined);
}

/** "operator:<id>" → ["operator", "<id>"]; an actor without a kind is its own id. */
export function splitActor(actor: string): [string, string] {
  const colon = actor.indexOf(":");
  return colon < 0 ? [actor, actor] : [actor.slice(0, colon), actor.slice(colon + 1)];
}
