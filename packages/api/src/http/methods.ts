import type { RequestHandler } from "express";
import type { DocumentedPath } from "../openapi.js";
import { problem } from "./problem.js";

/** The Allow list of a path: its documented methods, HEAD with GET (Express serves it), and OPTIONS. */
function allowOf(path: DocumentedPath): string {
  const methods = new Set(path.methods);
  if (methods.has("GET")) methods.add("HEAD");
  methods.add("OPTIONS");
  return [...methods].join(", ");
}

/**
 * Answers what the routers would get wrong on their own: OPTIONS with the methods the path
 * really serves (not those of a neighbouring /api/auth/{provider}), and a method a path does
 * not serve with 405 and its Allow list, instead of 404. The paths and methods come from the
 * OpenAPI document, which a test keeps equal to the routes Express serves. Paths the document
 * does not know go on to the routers (and end as 404).
 */
export function methodGuard(paths: () => readonly DocumentedPath[]): RequestHandler {
  // Read on the first request, not when the app is built.
  let known: readonly DocumentedPath[] | undefined;
  return (req, res, next) => {
    known ??= paths();
    const path = known.find((p) => p.pattern.test(req.path));
    if (!path) return next();
    const allow = allowOf(path);
    if (req.method === "OPTIONS") {
      res.set("allow", allow).status(204).end();
      return;
    }
    if (allow.split(", ").includes(req.method)) return next();
    res
      .set("allow", allow)
      .status(405)
      .type("application/problem+json")
      .json(
        problem(405, "route.method_not_allowed", `${req.path} does not answer ${req.method}; it answers ${allow}. See /api-docs for what each method does.`, {
          instance: req.originalUrl,
          requestId: String(req.id ?? ""),
        }),
      );
  };
}
