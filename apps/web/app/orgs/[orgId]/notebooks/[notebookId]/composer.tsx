"use client";

import type { KnowledgeFile, ModelInfo } from "@tandem/client/contract";
import { ActionIcon, Button, Group, NativeSelect, Text, Textarea } from "@mantine/core";
import { IconKeyboard, IconPaperclip, IconPlayerStop, IconSend } from "@tabler/icons-react";
import { useEffect, useState, type FormEvent, type RefObject } from "react";
import { UploadProgress, type Upload } from "./upload-progress";

/** Whether the browser sizes a text box to its text by itself (CSS field-sizing; see .composer-input). */
const growsByItself = () => typeof CSS !== "undefined" && CSS.supports("field-sizing", "content");

/**
 * The message box grows with its text, from 2 lines up to 8, then scrolls. CSS does it where the
 * browser can; elsewhere its height follows the text as it changes. Not measured when the page
 * starts (as Mantine's autosize does, reading the page's computed styles): on a phone that
 * measurement was a fifth of the chat page's start-up work.
 */
function useGrowWithText(textarea: RefObject<HTMLTextAreaElement>, text: string) {
  useEffect(() => {
    const box = textarea.current;
    if (!box || growsByItself() || (!text && !box.style.height)) return;
    box.style.height = "auto";
    box.style.height = `${box.scrollHeight + box.offsetHeight - box.clientHeight}px`;
  }, [textarea, text]);
}

export const ACCEPTED_FILES = ".pdf,.docx,.md,.txt,.html,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/markdown,text/plain,text/html";

export interface ComposerProps {
  text: string;
  onText(text: string): void;
  onSend(): void;
  busy: boolean;
  onStop(): void;
  models: ModelInfo[];
  modelId: string;
  onModel(id: string): void;
  files: KnowledgeFile[];
  uploads: Upload[];
  onFiles(files: File[]): void;
  onOpenFiles(): void;
  onShortcuts(): void;
  /** ArrowUp in the empty box: edit the last question. */
  onEditLast(): void;
  problem?: string;
  onDismiss(): void;
  fileInput: RefObject<HTMLInputElement>;
  textarea: RefObject<HTMLTextAreaElement>;
}

/** The message box pinned under the thread: files, the text, the model, send or stop. */
export function Composer(p: ComposerProps) {
  useGrowWithText(p.textarea, p.text);
  // The page arrives drawn by the server; until its script runs, the box takes no typing (the page
  // would not know of it, and it would be lost). Read-only rather than disabled: it does not flash grey.
  const [alive, setAlive] = useState(false);
  useEffect(() => setAlive(true), []);
  const model = p.models.find((m) => m.id === p.modelId);
  const unavailable = p.models.find((m) => m.unavailable)?.unavailable;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    p.onSend();
  };
  return (
    <form className="composer" onSubmit={submit}>
      {/* Inside the pinned composer, so a refusal is seen wherever the thread is scrolled. */}
      {p.problem ? (
        <p className="error" role="alert" data-testid="chat-error">
          {p.problem}{" "}
          <button type="button" className="link" onClick={p.onDismiss} aria-label="Dismiss the message">
            Dismiss
          </button>
        </p>
      ) : null}
      {p.uploads.map((u) => (
        <UploadProgress key={u.key} upload={u} />
      ))}
      <div className="files" data-testid="files">
        {p.files.map((f) => (
          <button type="button" key={f.id} className="file" data-status={f.status} title={f.error ?? `${f.pages} pages`} onClick={p.onOpenFiles} style={{ background: "none", color: "inherit", fontFamily: "inherit", cursor: "pointer" }}>
            {f.name} <small>{f.status === "processing" ? (f.chunkCount ? `reading · ${f.embedded} of ${f.chunkCount} passages` : "reading") : f.status}</small>
            {f.status === "failed" && f.error ? <small className="error"> · {f.error}</small> : null}
          </button>
        ))}
        <Button component="label" variant="default" size="xs" leftSection={<IconPaperclip size={14} aria-hidden />} className="attach" data-disabled={p.uploads.length >= 5 ? true : undefined}>
          Attach file
          <input
            ref={p.fileInput}
            type="file"
            hidden
            multiple
            accept={ACCEPTED_FILES}
            aria-label="Attach file"
            onChange={(e) => {
              const chosen = [...(e.target.files ?? [])];
              e.target.value = "";
              if (chosen.length) p.onFiles(chosen);
            }}
          />
        </Button>
      </div>
      <Textarea
        ref={p.textarea}
        readOnly={!alive}
        value={p.text}
        onChange={(e) => p.onText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            e.currentTarget.form?.requestSubmit();
          } else if (e.key === "ArrowUp" && !p.text && !e.shiftKey && !e.altKey && !e.metaKey && !e.ctrlKey) {
            e.preventDefault();
            p.onEditLast();
          }
        }}
        onPaste={(e) => {
          const pasted = [...e.clipboardData.files];
          if (pasted.length) {
            e.preventDefault();
            p.onFiles(pasted);
          }
        }}
        rows={2}
        classNames={{ input: "composer-input" }}
        placeholder="Message the model (Enter sends, Shift+Enter for a new line; paste or drop files to attach)"
        aria-label="Message"
        aria-keyshortcuts="Enter Shift+Enter ArrowUp Escape"
      />
      <Group gap="xs" wrap="nowrap" align="flex-end">
        <NativeSelect value={p.modelId} onChange={(e) => p.onModel(e.currentTarget.value)} aria-label="Model" data-testid="model-picker" size="sm" style={{ flex: 1, minWidth: 0 }}>
          {p.models.map((m) => (
            <option key={m.id} value={m.id} disabled={Boolean(m.unavailable)}>
              {m.name}
              {m.local ? "" : ` · ${m.provider}`}
              {m.unavailable ? " (unavailable)" : ""}
            </option>
          ))}
        </NativeSelect>
        <ActionIcon variant="subtle" color="gray" size="lg" onClick={p.onShortcuts} aria-label="Keyboard shortcuts" aria-keyshortcuts="Control+/ Meta+/" data-testid="shortcuts-button">
          <IconKeyboard size={18} aria-hidden />
        </ActionIcon>
        {p.busy ? (
          <Button type="button" color="red" onClick={p.onStop} data-testid="stop" leftSection={<IconPlayerStop size={16} aria-hidden />} aria-keyshortcuts="Escape">
            Stop
          </Button>
        ) : (
          <Button type="submit" disabled={!p.text.trim()} data-testid="send" leftSection={<IconSend size={16} aria-hidden />}>
            Send
          </Button>
        )}
      </Group>
      {model?.local ? (
        <Text size="xs" c="dimmed">
          The local test model repeats your question; it is not a real model.
        </Text>
      ) : null}
      {unavailable ? (
        <details className="hint" data-testid="models-unavailable">
          <summary>Why are some models unavailable?</summary>
          <small>{unavailable}</small>
        </details>
      ) : null}
    </form>
  );
}
