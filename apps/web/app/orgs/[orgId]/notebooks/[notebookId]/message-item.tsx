"use client";

import type { Citation, NotebookMessage } from "@tandem/client/contract";
import { ActionIcon, Button, CopyButton, Group, Loader, Text, Textarea } from "@mantine/core";
import { IconCheck, IconCopy, IconPencil, IconRefresh, IconTrash } from "@tabler/icons-react";
import { useEffect, useRef, useState } from "react";
import { MessageText, type Rendered } from "./message-text";

export type Shown = NotebookMessage & { streaming?: boolean };

/** "Thinking…": between sending and the reply's first words (announced politely to screen readers). */
export function Thinking({ label = "Thinking…" }: { label?: string }) {
  return (
    <Group gap="xs" className="pending" role="status" aria-live="polite" data-testid="pending">
      <Loader size="xs" type="dots" aria-hidden />
      <span>{label}</span>
    </Group>
  );
}

export interface MessageItemProps {
  message: Shown;
  /** Its Markdown as the server rendered it when the page opened. */
  rendered?: Rendered;
  who: string;
  /** The notebook's last message: a reply to regenerate, or a question whose reply was deleted, to answer again. */
  latestReply: boolean;
  /** A reply is streaming: the controls wait (the API refuses them with reply.in_progress). */
  busy: boolean;
  /** Shared with the person to read: no edit, regenerate or delete. */
  readOnly?: boolean;
  editing: boolean;
  onEditStart(): void;
  onEditCancel(): void;
  onEditSave(text: string): void;
  onRegenerate(): void;
  onDelete(): void;
  onCite(citation: Citation): void;
}

/** One message of the thread, with its controls: copy, edit and resend (questions), regenerate (the latest reply), delete. */
export function MessageItem({ message: m, rendered, who, latestReply, busy, readOnly, editing, onEditStart, onEditCancel, onEditSave, onRegenerate, onDelete, onCite }: MessageItemProps) {
  const question = m.role === "user";
  const noun = question ? "question" : "reply";
  return (
    <li className={`message ${m.role}`} data-status={m.status} data-testid={`message-${m.role}`} data-id={m.id}>
      <div className="who">
        {who}
        {!question && m.status !== "streaming" ? (
          <small>
            {" "}
            · {m.status}
            {m.outputTokens ? ` · ${m.inputTokens}+${m.outputTokens} tokens` : ""}
            {m.latencyMs ? ` · ${(m.latencyMs / 1000).toFixed(1)} s` : ""}
          </small>
        ) : null}
      </div>
      {editing ? (
        <EditQuestion initial={m.content} onCancel={onEditCancel} onSave={onEditSave} />
      ) : m.status === "streaming" && !m.content ? (
        <Thinking />
      ) : (
        <div className="markdown" aria-busy={m.status === "streaming" || undefined}>
          <MessageText text={m.content} rendered={rendered} />
        </div>
      )}
      {m.error ? <p className="error">{m.error}</p> : null}
      {m.citations?.length ? (
        <p className="citations" data-testid="citations">
          {m.citations.map((c) => (
            <button key={c.n} type="button" className="link" onClick={() => onCite(c)}>
              [{c.n}] {c.fileName}, page {c.page}
            </button>
          ))}
        </p>
      ) : null}
      {editing || m.status === "streaming" ? null : (
        <Group gap={2} className="message-actions" data-testid="message-actions">
          <CopyButton value={m.content} timeout={2000}>
            {({ copied, copy }) => (
              <>
                <ActionIcon variant="subtle" color="gray" size="sm" onClick={copy} aria-label={copied ? "Copied" : `Copy ${noun}`} data-testid="copy-message">
                  {copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
                </ActionIcon>
                {copied ? (
                  <Text size="xs" c="dimmed" role="status" data-testid="copied">
                    Copied
                  </Text>
                ) : null}
              </>
            )}
          </CopyButton>
          {question && !readOnly ? (
            <ActionIcon variant="subtle" color="gray" size="sm" onClick={onEditStart} disabled={busy} aria-label="Edit question" data-testid="edit-question">
              <IconPencil size={14} aria-hidden />
            </ActionIcon>
          ) : null}
          {latestReply && !readOnly ? (
            <ActionIcon variant="subtle" color="gray" size="sm" onClick={onRegenerate} disabled={busy} aria-label={question ? "Answer again" : "Regenerate reply"} data-testid="regenerate">
              <IconRefresh size={14} aria-hidden />
            </ActionIcon>
          ) : null}
          {readOnly ? null : (
            <ActionIcon variant="subtle" color="gray" size="sm" onClick={onDelete} disabled={busy} aria-label={`Delete ${noun}`} data-testid="delete-message">
              <IconTrash size={14} aria-hidden />
            </ActionIcon>
          )}
        </Group>
      )}
    </li>
  );
}

/** A sent question in an inline box: Save & resend replaces it and everything after it. */
function EditQuestion({ initial, onCancel, onSave }: { initial: string; onCancel(): void; onSave(text: string): void }) {
  const [text, setText] = useState(initial);
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const save = () => {
    if (text.trim()) onSave(text);
  };
  return (
    <div className="stack" data-testid="edit-box">
      <Textarea
        ref={box}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            e.stopPropagation();
            onCancel();
          } else if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            save();
          }
        }}
        autosize
        minRows={2}
        maxRows={10}
        aria-label="Edit your question"
      />
      <Text size="xs" c="dimmed">
        Saving replaces this question and everything after it, then asks again.
      </Text>
      <Group gap="xs" mt={4}>
        <Button size="xs" onClick={save} disabled={!text.trim()} data-testid="save-edit">
          Save &amp; resend
        </Button>
        <Button size="xs" variant="default" onClick={onCancel} data-testid="cancel-edit">
          Cancel
        </Button>
      </Group>
    </div>
  );
}
