"use client";

import type { Citation, GeneratedImage, KnowledgeFile, ModelInfo, ModelsResponse, Notebook, NotebookMessage, UploadResponse } from "@tandem/client/contract";
import { Button, Group, NativeSelect, Text, Textarea, Title } from "@mantine/core";
import { IconBraces, IconFileText, IconPaperclip, IconPencil, IconPlayerStop, IconSend, IconSettings } from "@tabler/icons-react";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { api, ApiProblem, describeError } from "../../../../../lib/browser-api";
import { postEventStream } from "../../../../../lib/event-stream";
import { notebooksChanged } from "../../../../ui/notebook-nav";

// The Markdown renderer (react-markdown with GFM) comes in its own chunk, fetched right after the
// page: the chat's first load stays small. Until it is there a message shows as plain text.
const loadMarkdown = () => import("./markdown");
if (typeof window !== "undefined") void loadMarkdown();
type MarkdownComponent = Awaited<ReturnType<typeof loadMarkdown>>["default"];

function MessageText({ text }: { text: string }) {
  const [Markdown, setMarkdown] = useState<MarkdownComponent | undefined>();
  useEffect(() => {
    let live = true;
    void loadMarkdown().then((m) => live && setMarkdown(() => m.default));
    return () => {
      live = false;
    };
  }, []);
  return Markdown ? <Markdown text={text} /> : <p style={{ whiteSpace: "pre-wrap" }}>{text}</p>;
}

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
  const [files, setFiles] = useState<KnowledgeFile[]>([]);
  const [uploading, setUploading] = useState<string | undefined>();
  const [shown, setShown] = useState<Citation | undefined>();
  const [images, setImages] = useState<GeneratedImage[]>([]);
  const [drawing, setDrawing] = useState(false);
  const [imagePrompt, setImagePrompt] = useState("");
  const [titleProblem, setTitleProblem] = useState<string | undefined>();
  const stop = useRef<AbortController | undefined>();
  const bottom = useRef<HTMLDivElement>(null);
  const composer = useRef<HTMLFormElement>(null);
  const thread = useRef<HTMLDivElement>(null);
  // Whether the view follows new text: true until the person scrolls up to read.
  const follow = useRef(true);

  const load = useCallback(async () => {
    try {
      const [data, catalog, attached] = await Promise.all([
        api<{ notebook: Notebook; messages: NotebookMessage[] }>(base),
        api<ModelsResponse>(`${org}/models`),
        api<{ files: KnowledgeFile[] }>(`${base}/files`).catch(() => ({ files: [] as KnowledgeFile[] })),
      ]);
      setFiles(attached.files);
      api<{ images: GeneratedImage[] }>(`${base}/images`).then((r) => setImages(r.images), () => setImages([]));
      setNotebook(data.notebook);
      setMessages(data.messages);
      setModels(catalog.models);
      setModelId(catalog.models.some((m) => m.id === data.notebook.modelId) ? data.notebook.modelId : catalog.defaultModelId);
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) window.location.href = `/sign-in?next=/orgs/${params.orgId}/notebooks/${params.notebookId}`;
      else setProblem(describeError(error));
    }
  }, [base, org, params.orgId, params.notebookId]);
  useEffect(() => {
    void load();
  }, [load]);
  // While a file is being read, its progress is fetched every second and a half.
  const processing = files.some((f) => f.status === "processing");
  useEffect(() => {
    if (!processing) return;
    const timer = setInterval(() => {
      api<{ files: KnowledgeFile[] }>(`${base}/files`).then((r) => setFiles(r.files), () => undefined);
    }, 1_500);
    return () => clearInterval(timer);
  }, [processing, base]);

  // The page is the chat: the thread scrolls, the composer stays at the bottom. The view follows
  // new text while the newest message is near the thread's bottom edge.
  useEffect(() => {
    const box = thread.current;
    if (!box) return;
    const onScroll = () => {
      follow.current = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
    };
    box.addEventListener("scroll", onScroll, { passive: true });
    return () => box.removeEventListener("scroll", onScroll);
  }, [notebook]);
  // Braces: newer browsers return a promise from scrollIntoView, and an effect may return only a clean-up.
  useEffect(() => {
    if (follow.current) void bottom.current?.scrollIntoView({ block: "end" });
  }, [messages, busy]);

  async function send(event: FormEvent) {
    event.preventDefault();
    if (!text.trim() || busy) return;
    const controller = new AbortController();
    stop.current = controller;
    follow.current = true;
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
        setProblem(describeError(error));
      }
    } finally {
      setBusy(false);
      stop.current = undefined;
      // The notebook moved to the top of the list (and may have been given a title).
      notebooksChanged();
    }
  }

  /** Registers the file, uploads it straight to storage with the presigned POST, then has it read. */
  async function attach(file: File) {
    setProblem(undefined);
    try {
      setUploading(`Uploading ${file.name}…`);
      const registered = await api<UploadResponse>(`${base}/files`, { body: { name: file.name, type: file.type || (file.name.endsWith(".md") ? "text/markdown" : "application/octet-stream"), size: file.size } });
      const form = new FormData();
      for (const [k, v] of Object.entries(registered.upload.fields)) form.append(k, v);
      form.append("file", file);
      const uploaded = await fetch(registered.upload.url, { method: "POST", body: form }).catch(() => undefined);
      if (!uploaded) throw new Error(`The file storage cannot be reached, so ${file.name} was not uploaded. Try again in a few minutes; if it keeps failing, tell your operator.`);
      if (uploaded.status >= 500) throw new Error(`The file storage is not working right now (${uploaded.status}), so ${file.name} was not uploaded. Try again in a few minutes.`);
      if (!uploaded.ok) throw new Error(`Storage refused ${file.name} (${uploaded.status}): its type or size differs from what was declared. Check the file, then try again.`);
      setUploading(`Checking ${file.name}…`);
      // Queues its reading; the list below shows the progress and the outcome.
      await api(`${base}/files/${registered.file.id}/complete`, { method: "POST" }).catch((error: unknown) => setProblem(`${file.name}: ${describeError(error)}`));
      const attached = await api<{ files: KnowledgeFile[] }>(`${base}/files`);
      setFiles(attached.files);
    } catch (error) {
      setProblem(`${file.name}: ${describeError(error)}`);
    } finally {
      setUploading(undefined);
    }
  }

  async function draw(event: FormEvent) {
    event.preventDefault();
    if (!imagePrompt.trim() || drawing) return;
    setDrawing(true);
    setProblem(undefined);
    try {
      const made = await api<{ image: GeneratedImage }>(`${base}/images`, { body: { prompt: imagePrompt } });
      setImages((list) => [made.image, ...list]);
      setImagePrompt("");
    } catch (error) {
      setProblem(describeError(error));
    } finally {
      setDrawing(false);
    }
  }

  async function editSystemPrompt() {
    const systemPrompt = window.prompt("System prompt for this notebook (how the model should answer)", notebook?.systemPrompt ?? "");
    if (systemPrompt === null) return;
    const r = await api<{ notebook: Notebook }>(base, { method: "PATCH", body: { systemPrompt } }).catch((e: unknown) => setTitleProblem(describeError(e)));
    if (r) setNotebook(r.notebook);
  }

  function show(citation: Citation) {
    setShown(citation);
    requestAnimationFrame(() => document.querySelector('[data-testid="passage"]')?.scrollIntoView({ block: "nearest" }));
  }

  async function rename() {
    const title = window.prompt("Notebook title", notebook?.title ?? "");
    if (!title) return;
    setTitleProblem(undefined);
    const r = await api<{ notebook: Notebook }>(base, { method: "PATCH", body: { title } }).catch((e: unknown) => setTitleProblem(describeError(e)));
    if (r) {
      setNotebook(r.notebook);
      notebooksChanged();
    }
  }

  if (!notebook) {
    return (
      <main>
        {problem ? (
          <section className="card stack" data-testid="notebook-missing">
            <p className="error" role="alert">
              {problem}
            </p>
            <p>
              <Link className="button" href={`/orgs/${params.orgId}/notebooks`}>
                Your notebooks
              </Link>{" "}
              <Link className="button secondary" href="/">
                Home
              </Link>
            </p>
          </section>
        ) : (
          <p className="notice">Loading…</p>
        )}
      </main>
    );
  }
  const model = models.find((m) => m.id === modelId);
  const unavailable = models.find((m) => m.unavailable)?.unavailable;
  const waiting = busy && !messages.some((m) => m.streaming);
  return (
    <main className="chat">
      <header className="chat-head">
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Title order={1} size="h3" data-testid="notebook-title" style={{ overflowWrap: "anywhere", minWidth: 0 }}>
            {notebook.title}
          </Title>
          <Group gap={4} wrap="wrap">
            <Button variant="subtle" size="compact-sm" leftSection={<IconPencil size={14} aria-hidden />} onClick={() => void rename()}>
              Rename
            </Button>
            <Button variant="subtle" size="compact-sm" leftSection={<IconSettings size={14} aria-hidden />} onClick={() => void editSystemPrompt()} title={notebook.systemPrompt || "none"}>
              System prompt{notebook.systemPrompt ? " ✓" : ""}
            </Button>
            <Button component="a" href={`${base}/export?format=markdown`} variant="subtle" size="compact-sm" leftSection={<IconFileText size={14} aria-hidden />}>
              Markdown
            </Button>
            <Button component="a" href={`${base}/export?format=json`} variant="subtle" size="compact-sm" leftSection={<IconBraces size={14} aria-hidden />}>
              JSON
            </Button>
          </Group>
        </Group>
        {titleProblem ? (
          <Text c="red" size="sm" role="alert" data-testid="title-error">
            {titleProblem}
          </Text>
        ) : null}
      </header>
      <div className="thread" ref={thread} data-testid="thread" tabIndex={0} role="region" aria-label="Conversation">
        {messages.length === 0 && !busy ? (
          <Text c="dimmed" ta="center" py="xl" data-testid="empty-thread">
            Ask anything to begin. Attach files to ground the answers in them; the reply cites their pages.
          </Text>
        ) : null}
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
            {m.status === "streaming" && !m.content ? (
              <p className="pending" role="status" data-testid="pending">
                Waiting for the first words of the reply…
              </p>
            ) : (
              <div className="markdown">
                <MessageText text={m.content} />
              </div>
            )}
            {m.error ? <p className="error">{m.error}</p> : null}
            {m.citations?.length ? (
              <p className="citations" data-testid="citations">
                {m.citations.map((c) => (
                  <button key={c.n} type="button" className="link" onClick={() => show(c)}>
                    [{c.n}] {c.fileName}, page {c.page}
                  </button>
                ))}
              </p>
            ) : null}
          </li>
        ))}
        {waiting ? (
          <li className="message assistant" data-testid="pending">
            <p className="pending" role="status">
              Sending your message…
            </p>
          </li>
        ) : null}
      </ol>
      <div ref={bottom} className="bottom-marker" />
      {shown ? (
        <aside className="card passage" aria-label="Cited passage" data-testid="passage">
          <p className="meta">
            [{shown.n}] {shown.fileName}, page {shown.page} ·{" "}
            <a
              href={
                shown.fileName.toLowerCase().endsWith(".pdf")
                  ? `/viewer?${new URLSearchParams({ file: `${base}/files/${shown.fileId}/content`, page: String(shown.page), name: shown.fileName })}`
                  : `${base}/files/${shown.fileId}/content`
              }
              target="_blank"
              rel="noreferrer"
              data-testid="open-file"
            >
              Open the file
            </a>{" "}
            · <button type="button" className="link" onClick={() => setShown(undefined)}>Close</button>
          </p>
          <blockquote>{shown.text}</blockquote>
        </aside>
      ) : null}
      <details className="card images" open={images.length > 0}>
        <summary>Images ({images.length})</summary>
        <form className="stack" onSubmit={draw}>
          <input value={imagePrompt} onChange={(e) => setImagePrompt(e.target.value)} placeholder="Describe an image" aria-label="Image description" maxLength={1024} />
          <button type="submit" disabled={drawing || !imagePrompt.trim()} data-testid="generate-image">
            {drawing ? "Drawing…" : "Generate image"}
          </button>
        </form>
        <div className="gallery" data-testid="gallery">
          {images.map((image) => (
            <figure key={image.id}>
              <a href={image.url} target="_blank" rel="noreferrer">
                {/* Presigned S3 links: not for Next's image optimiser. */}
                <img src={image.url} alt={image.prompt} width={image.width} height={image.height} loading="lazy" />
              </a>
              <figcaption>{image.prompt}</figcaption>
            </figure>
          ))}
        </div>
      </details>
      </div>
      <form className="composer" onSubmit={send} ref={composer}>
        {/* Inside the pinned composer, so a refusal is seen wherever the thread is scrolled. */}
        {problem ? (
          <p className="error" role="alert" data-testid="chat-error">
            {problem}{" "}
            <button type="button" className="link" onClick={() => setProblem(undefined)} aria-label="Dismiss the message">
              Dismiss
            </button>
          </p>
        ) : null}
        <div className="files" data-testid="files">
          {files.map((f) => (
            <span key={f.id} className="file" data-status={f.status} title={f.error ?? `${f.pages} pages`}>
              {f.name} <small>{f.status === "processing" ? (f.chunkCount ? `reading · ${f.embedded} of ${f.chunkCount} passages` : "reading") : f.status}</small>
              {f.status === "failed" && f.error ? <small className="error"> · {f.error}</small> : null}
            </span>
          ))}
          <Button component="label" variant="default" size="xs" leftSection={<IconPaperclip size={14} aria-hidden />} className="attach" data-disabled={uploading ? true : undefined}>
            {uploading ?? "Attach file"}
            <input
              type="file"
              hidden
              disabled={Boolean(uploading)}
              accept=".pdf,.docx,.md,.txt,.html,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/markdown,text/plain,text/html"
              aria-label="Attach file"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = "";
                if (file) void attach(file);
              }}
            />
          </Button>
        </div>
        <Textarea
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
          autosize
          minRows={2}
          maxRows={8}
          placeholder="Message the model (Enter sends, Shift+Enter for a new line)"
          aria-label="Message"
        />
        <Group gap="xs" wrap="nowrap" align="flex-end">
          <NativeSelect
            value={modelId}
            onChange={(e) => setModelId(e.currentTarget.value)}
            aria-label="Model"
            data-testid="model-picker"
            size="sm"
            style={{ flex: 1, minWidth: 0 }}
          >
            {models.map((m) => (
              <option key={m.id} value={m.id} disabled={Boolean(m.unavailable)}>
                {m.name}
                {m.local ? "" : ` · ${m.provider}`}
                {m.unavailable ? " (unavailable)" : ""}
              </option>
            ))}
          </NativeSelect>
          {busy ? (
            <Button type="button" color="red" onClick={() => stop.current?.abort()} data-testid="stop" leftSection={<IconPlayerStop size={16} aria-hidden />}>
              Stop
            </Button>
          ) : (
            <Button type="submit" disabled={!text.trim()} data-testid="send" leftSection={<IconSend size={16} aria-hidden />}>
              Send
            </Button>
          )}
        </Group>
        {model?.local ? <Text size="xs" c="dimmed">The local test model repeats your question; it is not a real model.</Text> : null}
        {unavailable ? (
          <details className="hint" data-testid="models-unavailable">
            <summary>Why are some models unavailable?</summary>
            <small>{unavailable}</small>
          </details>
        ) : null}
      </form>
    </main>
  );
}
