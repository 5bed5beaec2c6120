import { InvalidInputError } from "@tandem/core/errors";
import type { Request } from "express";
import type { z } from "zod";

/** Parses one part of a request with its zod schema; anything else is a 400 naming each field. */
export function parse<S extends z.ZodTypeAny>(schema: S, value: unknown, part: "body" | "query" | "params"): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInputError(
    `The request ${part} is not valid: ${result.error.issues.map((i) => `${i.path.join(".") || part}: ${i.message}`).join("; ")}.`,
    result.error.issues.map((i) => ({ name: [part, ...i.path].join("."), message: i.message })),
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
