"use client";

import { Button } from "@mantine/core";
import type { Notebook, NotebookPage } from "@tandem/client/contract";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { api } from "../../../../lib/browser-api";
import { ErrorBox, useSubmit } from "../../../ui/form";

export default function NotebooksPage({ params }: { params: { orgId: string } }) {
  const base = `/api/orgs/${encodeURIComponent(params.orgId)}/notebooks`;
  const [notebooks, setNotebooks] = useState<Notebook[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [query, setQuery] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  // "No notebooks yet" only once the list has come: not while it loads.
  const [loaded, setLoaded] = useState(false);
  // Without a text index the server searches a bounded number of recent messages, and says how many.
  const [searched, setSearched] = useState<number | undefined>();

  const load = useCallback(
    async (more?: string) => {
      try {
        const params = new URLSearchParams({ limit: "20", ...(query ? { q: query } : {}), ...(more ? { cursor: more } : {}) });
        const page = await api<NotebookPage>(`${base}?${params}`);
        setNotebooks((list) => (more ? [...list, ...page.notebooks] : page.notebooks));
        setCursor(page.nextCursor);
        setSearched(page.searchedMessages);
        setLoaded(true);
      } catch (error) {
        setProblem(error instanceof Error ? error.message : String(error));
      }
    },
    [base, query],
  );
  useEffect(() => {
    const timer = setTimeout(() => void load(), 250);
    return () => clearTimeout(timer);
  }, [load]);

  const create = useSubmit(() => api<{ notebook: Notebook }>(base, { body: { title: "Untitled notebook" } }), (r) => {
    window.location.href = `/orgs/${params.orgId}/notebooks/${r.notebook.id}`;
  });

  return (
    <main>
      <h1>Notebooks</h1>
      <p className="lead">
        <Link href={`/orgs/${params.orgId}`}>Organisation</Link>
      </p>
      <form onSubmit={create.onSubmit} className="stack">
        <ErrorBox error={create.error} />
        <Button type="submit" loading={create.pending} data-testid="new-notebook">
          New notebook
        </Button>
      </form>
      <label className="field" style={{ marginTop: "1rem" }}>
        <span>Search</span>
        <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Titles and messages" aria-label="Search notebooks" />
      </label>
      {problem ? <p className="error">{problem}</p> : null}
      <ul className="list" data-testid="notebooks" style={{ marginTop: "1rem" }}>
        {notebooks.map((n) => (
          <li key={n.id}>
            <Link href={`/orgs/${params.orgId}/notebooks/${n.id}`}>{n.title}</Link>
            <small>{new Date(n.lastActivityAt).toLocaleString("en-GB")}</small>
          </li>
        ))}
      </ul>
      {loaded && notebooks.length === 0 ? <p className="meta" data-testid="notebooks-empty">{query ? "No notebook matches." : "No notebooks yet."}</p> : null}
      {query && searched !== undefined ? (
        <p className="meta" data-testid="search-scope">
          Titles of all your notebooks were searched, and your {searched.toLocaleString("en-GB")} most recent messages (up to 13 weeks back).
        </p>
      ) : null}
      {cursor ? (
        <Button type="button" variant="default" onClick={() => void load(cursor)}>
          Load more
        </Button>
      ) : null}
    </main>
  );
}
