import { InvalidInputError } from "@tandem/core/errors";
import type { Request } from "express";
import type { z } from "zod";

/** Parses one part of a request with its zod schema; anything else is a 400 naming each field. */
export function parse<S extends z.ZodTypeAny>(schema: S, value: unknown, part: "body" | "query" | "params"): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // Body fields are named as core names them ("email"), so a client reads one shape whichever
  // layer refused; query and path parameters carry their part ("query.limit").
  const name = (path: (string | number)[]) => (part === "body" ? path.join(".") || "body" : [part, ...path].join("."));
  throw new InvalidInputError(
    `The request ${part} is not valid: ${result.error.issues.map((i) => `${i.path.join(".") || part}: ${i.message.replace(/\.$/, "")}`).join("; ")}.`,
    result.error.issues.map((i) => ({ name: name(i.path), message: i.message })),
  );
}

export const body = <S extends z.ZodTypeAny>(req: Request, schema: S): z.infer<S> => {
  // express.json() leaves the body undefined when the request is not JSON: say so, not "Required".
  if (req.body === undefined && !schema.safeParse(undefined).success) {
    throw new InvalidInputError("Send the request body as JSON, with the header Content-Type: application/json.", [{ name: "body", message: "missing or not JSON" }], "request.body_not_json");
  }
  return parse(schema, req.body, "body");
};
export const query = <S extends z.ZodTypeAny>(req: Request, schema: S): z.infer<S> => parse(schema, req.query, "query");
