"use client";

import type { Citation, GeneratedImage, KnowledgeFile, ModelInfo, ModelsResponse, Notebook, NotebookMessage } from "@tandem/client/contract";
import { Button, Text } from "@mantine/core";
import { IconShare } from "@tabler/icons-react";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState, type DragEvent } from "react";
import { api, ApiProblem, describeError } from "../../../../../lib/browser-api";
import { streamRequest } from "../../../../../lib/reply-stream";
import { useKnowledgeFiles } from "../../../../../lib/knowledge-files";
import { AfterStart } from "../../../../ui/after-start";
import { confirmAction } from "../../../../ui/confirm";
import { notebooksChanged } from "../../../../ui/notebook-nav";
import { useSession } from "../../../../ui/session";
import { useLive } from "../../../../../lib/live";
import { useLoadUnlessServed } from "../../../../../lib/served";
import { Composer } from "./composer";
import { MessageItem, Thinking, type Shown } from "./message-item";
import { MessageText, type Rendered } from "./message-text";
import { NotebookHeader } from "./notebook-header";
import { appendDelta, endReply, lastQuestionId, latestReplyId, putMessage, removeMessages, startExchange } from "./thread-state";

// Loaded after the page (the chat's first load stays small): the files panel and the shortcuts
// when first opened, the gallery once the page has started.
const FilesPanel = dynamic(() => import("./files-panel").then((m) => m.FilesPanel), { ssr: false });
const ShortcutsModal = dynamic(() => import("./shortcuts").then((m) => m.ShortcutsModal), { ssr: false });
const ImageGallery = dynamic(() => import("./image-gallery").then((m) => m.ImageGallery), { ssr: false });
// The Share dialog (Mantine's Modal, Select, SegmentedControl) too: only owners see it, and only some use it.
// Its button's place is held while it loads, so the header does not move (or wrap) when it comes.
const SharePlaceholder = () => (
  <Button variant="default" size="xs" leftSection={<IconShare size={14} aria-hidden />} disabled>
    Share
  </Button>
);
const ShareNotebook = dynamic(() => import("../../../../ui/share-notebook").then((m) => m.ShareNotebook), { ssr: false, loading: SharePlaceholder });
const MoveToProject = dynamic(() => import("./move-to-project").then((m) => m.MoveToProject), { ssr: false });

/** "its 2 messages", "its 1 file", "no images": what a deleted notebook takes with it. */
const contents = (n: number, noun: string) => (n === 0 ? `no ${noun}s` : `its ${n} ${noun}${n === 1 ? "" : "s"}`);

type Start = { userMessage: NotebookMessage; assistantMessage: NotebookMessage };

/** What the server rendering the page read for it (page.tsx): the page shows it at once, without fetching. */
export interface InitialNotebook {
  readonly notebook: Notebook;
  readonly messages: NotebookMessage[];
  readonly models: ModelsResponse;
  readonly files: KnowledgeFile[];
  readonly images: GeneratedImage[];
  /** The messages' Markdown, rendered by the server, by message id. */
  readonly rendered: Readonly<Record<string, Rendered>>;
}

/** The model a notebook answers with: its own if the account still offers it, else the default. */
const modelOf = (catalog: ModelsResponse, notebook: Notebook) => (catalog.models.some((m) => m.id === notebook.modelId) ? notebook.modelId : catalog.defaultModelId);

export function NotebookView({ params, initial }: { params: { orgId: string; notebookId: string }; initial?: InitialNotebook }) {
  const router = useRouter();
  const org = `/api/orgs/${encodeURIComponent(params.orgId)}`;
  const base = `${org}/notebooks/${encodeURIComponent(params.notebookId)}`;
  const [notebook, setNotebook] = useState<Notebook | undefined>(initial?.notebook);
  const [messages, setMessages] = useState<Shown[]>(initial?.messages ?? []);
  const [models, setModels] = useState<ModelInfo[]>(initial?.models.models ?? []);
  const [modelId, setModelId] = useState(initial ? modelOf(initial.models, initial.notebook) : "");
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<Citation | undefined>();
  const [images, setImages] = useState<GeneratedImage[]>(initial?.images ?? []);
  const [titleProblem, setTitleProblem] = useState<string | undefined>();
  const [editing, setEditing] = useState<string | undefined>();
  const [filesOpen, setFilesOpen] = useState(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const [moveOpen, setMoveOpen] = useState(false);
  // Mounted from their first opening on (so that closing plays its transition).
  const [panelsUsed, setPanelsUsed] = useState({ files: false, shortcuts: false });
  useEffect(() => {
    if (filesOpen || shortcutsOpen) setPanelsUsed((used) => ({ files: used.files || filesOpen, shortcuts: used.shortcuts || shortcutsOpen }));
  }, [filesOpen, shortcutsOpen]);
  const [dragging, setDragging] = useState(false);
  // The question on its way, shown until the server has it (the stream's start).
  const [sending, setSending] = useState<string | undefined>();
  // Between a request for a reply and the stream's start: the "Thinking…" bubble.
  const [awaiting, setAwaiting] = useState(false);
  const stop = useRef<AbortController | undefined>();
  const bottom = useRef<HTMLDivElement>(null);
  const thread = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  // Whether the view follows new text: true until the person scrolls up to read.
  const follow = useRef(true);

  // What the page shows, fetched in small parts: each can be called again on its own (after an
  // action here, or when a live update says that part changed).
  const notSignedIn = useCallback(
    (error: unknown) => {
      if (error instanceof ApiProblem && error.status === 401) {
        window.location.href = `/sign-in?next=/orgs/${params.orgId}/notebooks/${params.notebookId}`;
        return true;
      }
      return false;
    },
    [params.orgId, params.notebookId],
  );
  const reloadNotebook = useCallback(async () => {
    const data = await api<{ notebook: Notebook; messages: NotebookMessage[] }>(base);
    setNotebook(data.notebook);
    setMessages(data.messages);
    return data.notebook;
  }, [base]);
  const { files, uploads, reloadFiles, attachAll, removeFile } = useKnowledgeFiles(
    `${base}/files`,
    setProblem,
    "The file and its passages are removed from this notebook, and replies stop citing it. Replies that cited it keep their text. This cannot be undone.",
    initial?.files,
  );
  const reloadImages = useCallback(async () => {
    const r = await api<{ images: GeneratedImage[] }>(`${base}/images`).catch(() => undefined);
    setImages(r?.images ?? []);
  }, [base]);
  /**
   * Everything again: the title, the messages, the models, the files and the images, all asked for
   * at once and shown in one render (each part arriving on its own would render the page again).
   */
  const reload = useCallback(async () => {
    try {
      const [data, catalog, gallery] = await Promise.all([
        api<{ notebook: Notebook; messages: NotebookMessage[] }>(base),
        api<ModelsResponse>(`${org}/models`),
        api<{ images: GeneratedImage[] }>(`${base}/images`).catch(() => undefined),
        reloadFiles(),
      ]);
      setNotebook(data.notebook);
      setMessages(data.messages);
      setModels(catalog.models);
      setModelId(modelOf(catalog, data.notebook));
      setImages(gallery?.images ?? []);
    } catch (error) {
      if (!notSignedIn(error)) setProblem(describeError(error));
    }
  }, [base, org, reloadFiles, notSignedIn]);
  // Fetched here unless the server already read it all.
  useLoadUnlessServed(reload, initial !== undefined);

  // Live updates: what another tab or a collaborator changes appears here. While this tab streams
  // a reply of its own, the thread is not read again under it: it is read once the reply is done.
  const streaming = useRef(false);
  streaming.current = busy;
  const staleThread = useRef(false);
  const session = useSession();
  useLive(
    params.orgId,
    { notebooks: [params.notebookId] },
    {
      onEvent: (e) => {
        if (e.kind === "files.changed") void reloadFiles();
        else if (e.kind === "images.changed") void reloadImages();
        else if (e.kind === "notebook.deleted") {
          setProblem("This notebook was deleted (in another tab, or by its owner).");
          router.push(`/orgs/${encodeURIComponent(params.orgId)}/notebooks`);
        } else if (streaming.current) {
          staleThread.current = true;
          if (e.kind === "notebook.changed" && typeof e.data?.title === "string") setNotebook((n) => (n ? { ...n, title: String(e.data!.title) } : n));
        } else void reloadNotebook().catch(() => undefined);
      },
      onResync: () => {
        if (streaming.current) staleThread.current = true;
        else void reload();
      },
    },
  );
  useEffect(() => {
    if (!busy && staleThread.current) {
      staleThread.current = false;
      void reloadNotebook().catch(() => undefined);
    }
  }, [busy, reloadNotebook]);
  const readOnly = notebook?.access === "read";
  const selfId = session.status === "signed-in" ? session.me.account.id : undefined;

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
  // In the next frame, where the browser lays the page out anyway (scrolling at once would force a
  // layout of its own, costly on a phone while the page starts); a burst of streamed text scrolls once.
  // Braces: newer browsers return a promise from scrollIntoView, and a frame callback's value is ignored anyway.
  useEffect(() => {
    if (!follow.current || (messages.length === 0 && !busy)) return;
    const frame = requestAnimationFrame(() => {
      void bottom.current?.scrollIntoView({ block: "end" });
    });
    return () => cancelAnimationFrame(frame);
  }, [messages, busy]);

  /**
   * Streams a reply (a new question, a regenerated reply, an edited question sent again) into
   * the thread. `replacing`: the question an edit replaces, with everything after it.
   */
  async function streamReply(method: "POST" | "PATCH", path: string, body: unknown, replacing?: string): Promise<boolean> {
    if (stop.current) return false;
    const controller = new AbortController();
    stop.current = controller;
    follow.current = true;
    setBusy(true);
    setAwaiting(true);
    setProblem(undefined);
    let assistantId = "";
    try {
      await streamRequest(method, path, body, controller.signal, {
        onEvent(name, data) {
          if (name === "start") {
            const start = data as Start;
            assistantId = start.assistantMessage.id;
            setSending(undefined);
            setAwaiting(false);
            setMessages((list) => startExchange(list, start.userMessage, start.assistantMessage, replacing));
          } else if (name === "delta") {
            const delta = (data as { text: string }).text;
            setMessages((list) => appendDelta(list, assistantId, delta));
          } else if (name === "done") {
            const done = (data as { message: NotebookMessage }).message;
            setMessages((list) => putMessage(list, done));
          } else if (name === "error") {
            const failure = data as { detail: string };
            setProblem(failure.detail);
            setMessages((list) => endReply(list, assistantId, "failed", failure.detail));
          } else if (name === "title") {
            // The notebook was named from its first exchange: the header and the sidebar follow.
            setNotebook((data as { notebook: Notebook }).notebook);
            notebooksChanged();
          }
        },
      });
      return true;
    } catch (error) {
      if (controller.signal.aborted) {
        setMessages((list) => endReply(list, assistantId, "stopped"));
        return true;
      }
      if (notSignedIn(error)) return false;
      setProblem(describeError(error));
      // Refused (a reply in progress elsewhere, an older reply): show what the notebook really holds.
      if (error instanceof ApiProblem && error.status === 409) void reloadNotebook().catch(() => undefined);
      return false;
    } finally {
      setBusy(false);
      setAwaiting(false);
      setSending(undefined);
      stop.current = undefined;
      // The notebook moved to the top of the list.
      notebooksChanged();
    }
  }

  async function send() {
    if (!text.trim() || busy) return;
    const sent = text;
    setText("");
    setSending(sent);
    if (!(await streamReply("POST", `${base}/messages`, { text: sent, modelId }))) setText((now) => now || sent);
  }

  async function regenerate(message: Shown) {
    await streamReply("POST", `${base}/messages/${message.id}/regenerate`, { modelId });
  }

  async function saveEdit(message: Shown, edited: string) {
    setEditing(undefined);
    await streamReply("PATCH", `${base}/messages/${message.id}`, { text: edited, modelId }, message.id);
  }

  async function deleteMessage(message: Shown) {
    const question = message.role === "user";
    const ok = await confirmAction({
      title: question ? "Delete this question?" : "Delete this reply?",
      body: question ? "The question and its reply are removed from this notebook. This cannot be undone." : "This reply is removed from this notebook; its question stays, and can be answered again. This cannot be undone.",
      confirmLabel: question ? "Delete question" : "Delete reply",
    });
    if (!ok) return;
    try {
      const r = await api<{ deleted: string[] }>(`${base}/messages/${message.id}`, { method: "DELETE" });
      setMessages((list) => removeMessages(list, r.deleted));
    } catch (error) {
      setProblem(describeError(error));
      void reloadNotebook().catch(() => undefined);
    }
  }

  async function generateImage(prompt: string): Promise<boolean> {
    setProblem(undefined);
    try {
      const made = await api<{ image: GeneratedImage }>(`${base}/images`, { body: { prompt } });
      setImages((list) => [made.image, ...list.filter((i) => i.id !== made.image.id)]);
      return true;
    } catch (error) {
      setProblem(describeError(error));
      return false;
    }
  }

  async function deleteImage(image: GeneratedImage) {
    const ok = await confirmAction({ title: "Delete this image?", body: `“${image.prompt}” is removed from this notebook and from storage. This cannot be undone.`, confirmLabel: "Delete image" });
    if (!ok) return;
    try {
      await api(`${base}/images/${image.id}`, { method: "DELETE" });
      setImages((list) => list.filter((i) => i.id !== image.id));
    } catch (error) {
      setProblem(describeError(error));
      void reloadImages();
    }
  }

  async function editSystemPrompt() {
    const systemPrompt = window.prompt("System prompt for this notebook (how the model should answer)", notebook?.systemPrompt ?? "");
    if (systemPrompt === null) return;
    const r = await api<{ notebook: Notebook }>(base, { method: "PATCH", body: { systemPrompt } }).catch((e: unknown) => setTitleProblem(describeError(e)));
    if (r) setNotebook(r.notebook);
  }

  async function rename(title: string): Promise<boolean> {
    setTitleProblem(undefined);
    try {
      const r = await api<{ notebook: Notebook }>(base, { method: "PATCH", body: { title } });
      setNotebook(r.notebook);
      notebooksChanged();
      return true;
    } catch (error) {
      setTitleProblem(describeError(error));
      return false;
    }
  }

  async function deleteNotebook() {
    const ok = await confirmAction({
      title: "Delete this notebook?",
      body: (
        <Text size="sm">
          “{notebook?.title}” is deleted with everything in it: {contents(messages.length, "message")}, {contents(files.length, "file")} and {contents(images.length, "image")}. Stored files and images are
          removed in the background. This cannot be undone.
        </Text>
      ),
      confirmLabel: "Delete notebook",
    });
    if (!ok) return;
    try {
      stop.current?.abort();
      await api(base, { method: "DELETE" });
      notebooksChanged();
      router.push(`/orgs/${params.orgId}/notebooks`);
    } catch (error) {
      setTitleProblem(describeError(error));
    }
  }

  async function newNotebook() {
    try {
      const r = await api<{ notebook: Notebook }>(`${org}/notebooks`, { body: {} });
      notebooksChanged();
      router.push(`/orgs/${params.orgId}/notebooks/${r.notebook.id}`);
    } catch (error) {
      setProblem(describeError(error));
    }
  }

  function editLastQuestion() {
    const id = lastQuestionId(messages);
    if (id && !busy) setEditing(id);
  }

  function show(citation: Citation) {
    setShown(citation);
    requestAnimationFrame(() => document.querySelector('[data-testid="passage"]')?.scrollIntoView({ block: "nearest" }));
  }

  // Keyboard shortcuts of the page: Esc stops a reply, Ctrl/⌘+/ lists the shortcuts, Ctrl/⌘+Shift+O opens a new notebook.
  const keys = useRef({ busy, newNotebook });
  keys.current = { busy, newNotebook };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (e.key === "Escape" && keys.current.busy && !e.defaultPrevented && !document.querySelector('[role="dialog"]')) {
        stop.current?.abort();
      } else if (mod && !e.shiftKey && (e.key === "/" || e.code === "Slash")) {
        e.preventDefault();
        setShortcutsOpen((open) => !open);
      } else if (mod && e.shiftKey && e.key.toLowerCase() === "o") {
        e.preventDefault();
        void keys.current.newNotebook();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

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
  const waiting = busy && awaiting;
  const latest = latestReplyId(messages);
  const hasFiles = (e: DragEvent) => [...e.dataTransfer.types].includes("Files");
  return (
    <main
      className="chat"
      style={{ position: "relative" }}
      data-testid="chat"
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = "copy";
        if (!dragging) setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setDragging(false);
        const dropped = [...e.dataTransfer.files];
        if (dropped.length) attachAll(dropped);
      }}
    >
      {dragging ? (
        <div className="drop-overlay" data-testid="drop-overlay" aria-hidden style={{ position: "absolute", inset: 0, zIndex: 5, pointerEvents: "none", display: "grid", placeItems: "center", border: "2px dashed var(--mantine-primary-color-filled)", borderRadius: "0.75rem", background: "color-mix(in srgb, var(--mantine-color-body) 85%, transparent)" }}>
          <Text fw={600}>Drop files to attach them to this notebook</Text>
        </div>
      ) : null}
      <NotebookHeader
        notebook={notebook}
        share={
          <AfterStart fallback={<SharePlaceholder />}>
            <ShareNotebook orgId={params.orgId} notebookId={params.notebookId} selfId={selfId} />
          </AfterStart>
        }
        exportBase={base}
        fileCount={files.length}
        problem={titleProblem}
        onRename={rename}
        onSystemPrompt={() => void editSystemPrompt()}
        onMove={() => setMoveOpen(true)}
        projectHref={notebook.projectId && (notebook.access ?? "owner") === "owner" ? `/orgs/${encodeURIComponent(params.orgId)}/projects/${notebook.projectId}` : undefined}
        onFiles={() => setFilesOpen(true)}
        onShortcuts={() => setShortcutsOpen(true)}
        onDelete={() => void deleteNotebook()}
      />
      <div className="thread" ref={thread} data-testid="thread" tabIndex={0} role="region" aria-label="Conversation">
        {messages.length === 0 && !busy ? (
          <Text c="dimmed" ta="center" py="xl" data-testid="empty-thread">
            Ask anything to begin. Attach files to ground the answers in them; the reply cites their pages.
          </Text>
        ) : null}
        <ol className="messages" data-testid="messages">
          {messages.map((m) => (
            <MessageItem
              key={m.id}
              message={m}
              rendered={initial?.rendered[m.id]}
              who={m.role === "user" ? (!m.authorId || m.authorId === selfId ? "You" : "Another member") : (models.find((x) => x.id === m.modelId)?.name ?? m.modelId ?? "Assistant")}
              latestReply={m.id === latest}
              busy={busy}
              readOnly={readOnly}
              editing={editing === m.id}
              onEditStart={() => setEditing(m.id)}
              onEditCancel={() => {
                setEditing(undefined);
                textarea.current?.focus();
              }}
              onEditSave={(edited) => void saveEdit(m, edited)}
              onRegenerate={() => void regenerate(m)}
              onDelete={() => void deleteMessage(m)}
              onCite={show}
            />
          ))}
          {waiting && sending ? (
            <li className="message user" data-testid="sending">
              <div className="who">You</div>
              <div className="markdown">
                <MessageText text={sending} />
              </div>
            </li>
          ) : null}
          {waiting ? (
            <li className="message assistant">
              <Thinking />
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
              ·{" "}
              <button type="button" className="link" onClick={() => setShown(undefined)}>
                Close
              </button>
            </p>
            <blockquote>{shown.text}</blockquote>
          </aside>
        ) : null}
        <AfterStart>
          <ImageGallery images={images} onGenerate={generateImage} onDelete={(image) => void deleteImage(image)} />
        </AfterStart>
      </div>
      {readOnly ? (
        <Text c="dimmed" ta="center" py="sm" data-testid="read-only">
          {"This notebook was shared with you to read. Ask its owner to let you edit it to write here."}
        </Text>
      ) : (
      <Composer
        text={text}
        onText={setText}
        onSend={() => void send()}
        busy={busy}
        onStop={() => stop.current?.abort()}
        models={models}
        modelId={modelId}
        onModel={setModelId}
        files={files}
        uploads={uploads}
        onFiles={attachAll}
        onOpenFiles={() => setFilesOpen(true)}
        onShortcuts={() => setShortcutsOpen(true)}
        onEditLast={editLastQuestion}
        problem={problem}
        onDismiss={() => setProblem(undefined)}
        fileInput={fileInput}
        textarea={textarea}
      />
      )}
      {moveOpen && notebook ? (
        <MoveToProject
          orgId={params.orgId}
          notebook={notebook}
          opened={moveOpen}
          onClose={() => setMoveOpen(false)}
          onMoved={(moved) => {
            setNotebook((n) => (n ? { ...n, projectId: moved.projectId } : n));
            notebooksChanged();
          }}
        />
      ) : null}
      {filesOpen || panelsUsed.files ? <FilesPanel opened={filesOpen} onClose={() => setFilesOpen(false)} files={files} uploads={uploads} onRemove={(f) => void removeFile(f)} onAttach={() => fileInput.current?.click()} /> : null}
      {shortcutsOpen || panelsUsed.shortcuts ? <ShortcutsModal opened={shortcutsOpen} onClose={() => setShortcutsOpen(false)} /> : null}
    </main>
  );
}
