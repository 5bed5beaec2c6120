import type { Connection } from "mongoose";
import { signIn, type Account } from "@tandem/core/identity";
import type { Request } from "express";
import { Strategy } from "passport-local";
import { clientAddress } from "../../http/client-address.js";

/**
 * Email and password. The body is handed to core's signIn as it came, so zod refuses anything
 * that is not a plain string (a `{"$gt": ""}` never reaches a query); failures count towards the
 * lock-out of the account and of the client's address.
 */
export function localStrategy(database: () => Promise<Connection>, proxyKey?: string): Strategy {
  return new Strategy({ usernameField: "email", passwordField: "password", passReqToCallback: true, session: false }, (req: Request, _email: string, _password: string, done: (error: unknown, user?: Account) => void) => {
    const body = req.body as Record<string, unknown>;
    database()
      .then((connection) => signIn(connection, { email: body.email as string, password: body.password as string }, { ip: clientAddress(req, proxyKey) }))
      .then(
        (account) => done(null, account),
        (error: unknown) => done(error),
      );
  });
}
