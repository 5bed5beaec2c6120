"use client";

import type { ModelInfo, ModelsResponse, Notebook, NotebookMessage } from "@tandem/client/contract";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";
import { api, ApiProblem } from "../../../../../lib/browser-api";
import { postEventStream } from "../../../../../lib/event-stream";

type Shown = NotebookMessage & { streaming?: boolean };

export default function NotebookPage({ params }: { params: { orgId: string; notebookId: string } }) {
  const org = `/api/orgs/${encodeURIComponent(params.orgId)}`;
  const base = `${org}/notebooks/${encodeURIComponent(params.notebookId)}`;
  const [notebook, setNotebook] = useState<Notebook | undefined>();
  const [messages, setMessages] = useState<Shown[]>([]);
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [modelId, setModelId] = useState("");
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const stop = useRef<AbortController | undefined>();
  const bottom = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    try {
      const [data, catalog] = await Promise.all([api<{ notebook: Notebook; messages: NotebookMessage[] }>(base), api<ModelsResponse>(`${org}/models`)]);
      setNotebook(data.notebook);
      setMessages(data.messages);
      setModels(catalog.models);
      setModelId(catalog.models.some((m) => m.id === data.notebook.modelId) ? data.notebook.modelId : catalog.defaultModelId);
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) window.location.href = `/sign-in?next=/orgs/${params.orgId}/notebooks/${params.notebookId}`;
      else setProblem(error instanceof Error ? error.message : String(error));
    }
  }, [base, org, params.orgId, params.notebookId]);
  useEffect(() => {
    void load();
  }, [load]);
  // Braces: newer browsers return a promise from scrollIntoView, and an effect may return only a clean-up.
  useEffect(() => {
    void bottom.current?.scrollIntoView({ block: "end" });
  }, [messages]);

  async function send(event: FormEvent) {
    event.preventDefault();
    if (!text.trim() || busy) return;
    const controller = new AbortController();
    stop.current = controller;
    setBusy(true);
    setProblem(undefined);
    const sent = text;
    setText("");
    let assistantId = "";
    try {
      await postEventStream(`${base}/messages`, { text: sent, modelId }, controller.signal, {
        onEvent(name, data) {
          if (name === "start") {
            const start = data as { userMessage: NotebookMessage; assistantMessage: NotebookMessage };
            assistantId = start.assistantMessage.id;
            setMessages((list) => [...list, start.userMessage, { ...start.assistantMessage, streaming: true }]);
          } else if (name === "delta") {
            const delta = (data as { text: string }).text;
            setMessages((list) => list.map((m) => (m.id === assistantId ? { ...m, content: m.content + delta } : m)));
          } else if (name === "done") {
            const done = (data as { message: NotebookMessage }).message;
            setMessages((list) => list.map((m) => (m.id === done.id ? done : m)));
          } else if (name === "error") {
            const failure = data as { detail: string };
            setProblem(failure.detail);
            setMessages((list) => list.map((m) => (m.id === assistantId ? { ...m, status: "failed", error: failure.detail, streaming: false } : m)));
          }
        },
      });
    } catch (error) {
      if (controller.signal.aborted) {
        setMessages((list) => list.map((m) => (m.id === assistantId ? { ...m, status: "stopped", streaming: false } : m)));
      } else {
        setText(sent);
        setProblem(error instanceof Error ? error.message : String(error));
      }
    } finally {
      setBusy(false);
      stop.current = undefined;
    }
  }

  async function rename() {
    const title = window.prompt("Notebook title", notebook?.title ?? "");
    if (!title) return;
    const r = await api<{ notebook: Notebook }>(base, { method: "PATCH", body: { title } }).catch((e: unknown) => setProblem(String(e)));
    if (r) setNotebook(r.notebook);
  }

  if (!notebook) return <main>{problem ? <p className="error">{problem}</p> : <p className="notice">Loading…</p>}</main>;
  const model = models.find((m) => m.id === modelId);
  return (
    <main className="chat">
      <header className="chat-head">
        <h1 data-testid="notebook-title">{notebook.title}</h1>
        <p className="meta">
          <Link href={`/orgs/${params.orgId}/notebooks`}>All notebooks</Link> · <button type="button" className="link" onClick={() => void rename()}>Rename</button> ·{" "}
          <a href={`${base}/export?format=markdown`}>Markdown</a> · <a href={`${base}/export?format=json`}>JSON</a>
        </p>
      </header>
      <ol className="messages" data-testid="messages">
        {messages.map((m) => (
          <li key={m.id} className={`message ${m.role}`} data-status={m.status} data-testid={`message-${m.role}`}>
            <div className="who">
              {m.role === "user" ? "You" : models.find((x) => x.id === m.modelId)?.name ?? m.modelId ?? "Assistant"}
              {m.role === "assistant" && m.status !== "streaming" ? (
                <small>
                  {" "}
                  · {m.status}
                  {m.outputTokens ? ` · ${m.inputTokens}+${m.outputTokens} tokens` : ""}
                  {m.latencyMs ? ` · ${(m.latencyMs / 1000).toFixed(1)} s` : ""}
                </small>
              ) : null}
            </div>
            <div className="markdown">
              <ReactMarkdown remarkPlugins={[remarkGfm]}>{m.content || (m.status === "streaming" ? "…" : "")}</ReactMarkdown>
            </div>
            {m.error ? <p className="error">{m.error}</p> : null}
          </li>
        ))}
      </ol>
      <div ref={bottom} />
      {problem ? (
        <p className="error" role="alert" data-testid="chat-error">
          {problem}
        </p>
      ) : null}
      <form className="composer" onSubmit={send}>
        <label className="field">
          <span>Model</span>
          <select value={modelId} onChange={(e) => setModelId(e.target.value)} aria-label="Model" data-testid="model-picker">
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
                {m.local ? "" : ` · ${m.provider}`}
              </option>
            ))}
          </select>
        </label>
        {model?.local ? <small className="hint">The local test model repeats your question; it is not a real model.</small> : null}
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
          rows={3}
          placeholder="Message the model (Enter sends, Shift+Enter for a new line)"
          aria-label="Message"
        />
        {busy ? (
          <button type="button" className="danger" onClick={() => stop.current?.abort()} data-testid="stop">
            Stop
          </button>
        ) : (
          <button type="submit" disabled={!text.trim()} data-testid="send">
            Send
          </button>
        )}
      </form>
    </main>
  );
}
