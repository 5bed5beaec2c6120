"use client";

import type { ViewerConfig } from "@tandem/client/contract";
import { useEffect, useRef, useState } from "react";
import { api } from "../../lib/browser-api";

/** Only files served by our own API (the notebook file links), never an arbitrary address. */
function safeFile(file: string | undefined): string | undefined {
  return file && /^\/api\/orgs\/[0-9a-f]{24}\/notebooks\/[0-9a-f]{24}\/files\/[0-9a-f]{24}\/content$/.test(file) ? file : undefined;
}

/**
 * Opens a cited PDF at its page: in PDF.js Express when the operator set PDFJS_EXPRESS_VIEWER_KEY,
 * otherwise in the browser's own PDF viewer.
 */
export default function ViewerPage({ searchParams }: { searchParams: { file?: string; page?: string; name?: string } }) {
  const file = safeFile(searchParams.file);
  const page = Math.max(1, Number(searchParams.page) || 1);
  const [mode, setMode] = useState<"loading" | "express" | "plain">("loading");
  const host = useRef<HTMLDivElement>(null);
  // One viewer per element: React's development mode runs effects twice.
  const started = useRef(false);

  useEffect(() => {
    if (!file || started.current) return;
    started.current = true;
    api<ViewerConfig>("/api/viewer-config").then(
      async ({ pdfExpressKey }) => {
        if (!pdfExpressKey || !host.current) return setMode("plain");
        setMode("express");
        const { default: WebViewer } = await import("@pdftron/pdfjs-express-viewer");
        const instance = await WebViewer({ path: "/pdfjs-express", licenseKey: pdfExpressKey, initialDoc: file, extension: "pdf" }, host.current);
        const viewer = instance.Core.documentViewer;
        viewer.addEventListener("documentLoaded", () => viewer.setCurrentPage(page, false));
      },
      () => setMode("plain"),
    );
  }, [file, page]);

  if (!file) return <main><p className="error">This link does not point at a file of a notebook. Open it from a citation.</p></main>;
  return (
    <main className="viewer">
      <h1>{searchParams.name ?? "File"}</h1>
      <p className="meta">Page {page}</p>
      <div ref={host} className="viewer-host" data-testid="pdf-express" hidden={mode !== "express"} />
      {mode === "plain" ? <iframe className="viewer-host" title={searchParams.name ?? "File"} src={`${file}#page=${page}`} data-testid="pdf-plain" /> : null}
    </main>
  );
}
