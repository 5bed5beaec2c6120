"use client";

import type { Notebook } from "@tandem/client/contract";
import { ActionIcon, Menu } from "@mantine/core";
import { IconBraces, IconDots, IconFileText, IconFolder, IconKeyboard, IconPencil, IconSettings, IconTrash } from "@tabler/icons-react";

/** The notebook's actions: rename, system prompt, move to a project, export, keyboard shortcuts, delete. */
export function NotebookMenu({
  notebook,
  exportBase,
  onRename,
  onSystemPrompt,
  onMove,
  onShortcuts,
  onDelete,
}: {
  notebook: Notebook;
  exportBase: string;
  onRename(): void;
  onSystemPrompt(): void;
  onMove(): void;
  onShortcuts(): void;
  onDelete(): void;
}) {
  // Renaming, the settings and deleting are the owner's; whoever it is shared with reads, exports and shortcuts.
  const owner = (notebook.access ?? "owner") === "owner";
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label="Notebook actions" data-testid="notebook-menu">
          <IconDots size={18} aria-hidden />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {owner ? (
          <>
            <Menu.Item leftSection={<IconPencil size={14} aria-hidden />} onClick={onRename}>
              Rename
            </Menu.Item>
            <Menu.Item leftSection={<IconSettings size={14} aria-hidden />} onClick={onSystemPrompt}>
              System prompt{notebook.systemPrompt ? " ✓" : ""}
            </Menu.Item>
            <Menu.Item leftSection={<IconFolder size={14} aria-hidden />} onClick={onMove} data-testid="move-to-project">
              Move to project…
            </Menu.Item>
          </>
        ) : null}
        <Menu.Item component="a" href={`${exportBase}/export?format=markdown`} leftSection={<IconFileText size={14} aria-hidden />}>
          Export as Markdown
        </Menu.Item>
        <Menu.Item component="a" href={`${exportBase}/export?format=json`} leftSection={<IconBraces size={14} aria-hidden />}>
          Export as JSON
        </Menu.Item>
        <Menu.Item leftSection={<IconKeyboard size={14} aria-hidden />} onClick={onShortcuts}>
          Keyboard shortcuts
        </Menu.Item>
        {owner ? (
          <>
            <Menu.Divider />
            <Menu.Item color="red" leftSection={<IconTrash size={14} aria-hidden />} onClick={onDelete} data-testid="delete-notebook">
              Delete notebook
            </Menu.Item>
          </>
        ) : null}
      </Menu.Dropdown>
    </Menu>
  );
}
