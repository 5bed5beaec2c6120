"use client";

import type { Notebook } from "@tandem/client/contract";
import { ActionIcon, Badge, Button, Group, Text, TextInput, Title, UnstyledButton } from "@mantine/core";
import { IconDots, IconFiles, IconFolder, IconPencil } from "@tabler/icons-react";
import Link from "next/link";
import dynamic from "next/dynamic";
import { useEffect, useRef, useState, type ReactNode } from "react";

// The menu (Mantine's Menu, with its popover) is loaded right after the page: the first load stays small.
const NotebookMenu = dynamic(() => import("./notebook-menu").then((m) => m.NotebookMenu), {
  ssr: false,
  loading: () => (
    <ActionIcon variant="subtle" color="gray" aria-label="Notebook actions" disabled>
      <IconDots size={18} aria-hidden />
    </ActionIcon>
  ),
});

export interface NotebookHeaderProps {
  notebook: Notebook;
  /** The Share button (its owner only), rendered beside the files. */
  share?: ReactNode;
  exportBase: string;
  fileCount: number;
  problem?: string;
  onRename(title: string): Promise<boolean>;
  onSystemPrompt(): void;
  onMove(): void;
  /** The page of the project it is in, if any. */
  projectHref?: string;
  onFiles(): void;
  onShortcuts(): void;
  onDelete(): void;
}

/** The notebook's title (renamable in place) and its actions. */
export function NotebookHeader({ notebook, share, exportBase, fileCount, problem, onRename, onSystemPrompt, onMove, projectHref, onFiles, onShortcuts, onDelete }: NotebookHeaderProps) {
  const [renaming, setRenaming] = useState(false);
  const owner = (notebook.access ?? "owner") === "owner";
  return (
    <header className="chat-head">
      {/* On a narrow screen the title takes its own line and the actions wrap below it (a title squeezed beside them would break word by word). */}
      <Group justify="space-between" gap="xs" wrap="wrap" align="center">
        {renaming ? (
          <RenameTitle
            title={notebook.title}
            onDone={async (title) => {
              if (title === undefined || title === notebook.title) return setRenaming(false);
              if (await onRename(title)) setRenaming(false);
            }}
          />
        ) : (
          <Group gap={4} wrap="nowrap" style={{ minWidth: 0, flex: "1 1 16rem" }}>
            <Title order={1} size="h3" style={{ overflowWrap: "anywhere", minWidth: 0 }}>
              {owner ? (
                <UnstyledButton onClick={() => setRenaming(true)} title="Rename" style={{ font: "inherit", overflowWrap: "anywhere" }} data-testid="notebook-title">
                  {notebook.title}
                </UnstyledButton>
              ) : (
                <span data-testid="notebook-title">{notebook.title}</span>
              )}
            </Title>
            {owner ? (
              <ActionIcon variant="subtle" color="gray" size="sm" onClick={() => setRenaming(true)} aria-label="Rename notebook" data-testid="rename-notebook">
                <IconPencil size={14} aria-hidden />
              </ActionIcon>
            ) : (
              <Badge variant="light" color="gray" data-testid="notebook-access">
                {notebook.access === "read" ? "Shared with you · read only" : "Shared with you"}
              </Badge>
            )}
          </Group>
        )}
        <Group gap={4} wrap="nowrap" style={{ flex: "none", marginInlineStart: "auto" }}>
          {projectHref ? (
            <Button component={Link} prefetch={false} href={projectHref} variant="subtle" size="compact-sm" leftSection={<IconFolder size={14} aria-hidden />} data-testid="notebook-project">
              Project
            </Button>
          ) : null}
          {owner ? share : null}
          <Button variant="subtle" size="compact-sm" leftSection={<IconFiles size={14} aria-hidden />} onClick={onFiles} data-testid="open-files">
            Files{fileCount ? ` (${fileCount})` : ""}
          </Button>
          <NotebookMenu notebook={notebook} exportBase={exportBase} onRename={() => setRenaming(true)} onSystemPrompt={onSystemPrompt} onMove={onMove} onShortcuts={onShortcuts} onDelete={onDelete} />
        </Group>
      </Group>
      {problem ? (
        <Text c="red" size="sm" role="alert" data-testid="title-error">
          {problem}
        </Text>
      ) : null}
    </header>
  );
}

/** The title in a text box: Enter saves, Esc cancels; leaving the box saves. */
function RenameTitle({ title, onDone }: { title: string; onDone(title?: string): void | Promise<void> }) {
  const [value, setValue] = useState(title);
  const input = useRef<HTMLInputElement>(null);
  const ended = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    input.current?.focus();
    input.current?.select();
    return () => {
      mounted.current = false;
    };
  }, []);
  const finish = (next?: string) => {
    if (ended.current) return;
    ended.current = true;
    void Promise.resolve(onDone(next === undefined ? undefined : next.trim() || undefined)).finally(() => {
      // Still here: the rename was refused (the reason shows below), so the box stays for another try.
      if (mounted.current) ended.current = false;
    });
  };
  return (
    <TextInput
      ref={input}
      value={value}
      onChange={(e) => setValue(e.currentTarget.value)}
      onKeyDown={(e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          finish(value);
        } else if (e.key === "Escape") {
          e.preventDefault();
          e.stopPropagation();
          finish(undefined);
        }
      }}
      onBlur={() => finish(value)}
      maxLength={200}
      aria-label="Notebook title"
      data-testid="title-input"
      size="sm"
      style={{ flex: 1, minWidth: 0 }}
    />
  );
}
