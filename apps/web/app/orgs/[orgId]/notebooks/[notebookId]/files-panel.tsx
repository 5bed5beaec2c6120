"use client";

import type { KnowledgeFile } from "@tandem/client/contract";
import { Badge, Button, Drawer, Group, Progress, Stack, Text } from "@mantine/core";
import { IconPaperclip, IconTrash } from "@tabler/icons-react";
import { readingPercent, UploadProgress, type Upload } from "./upload-progress";

const STATUS_COLOR: Record<KnowledgeFile["status"], string> = { uploading: "gray", processing: "blue", ready: "green", failed: "red" };

/** The notebook's knowledge files: status, reading progress, remove. */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const sizeOf = (bytes: number) => (bytes < 1024 ? count(bytes, "byte") : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

export function FilesPanel({ opened, onClose, files, uploads, onRemove, onAttach }: { opened: boolean; onClose(): void; files: KnowledgeFile[]; uploads: Upload[]; onRemove(file: KnowledgeFile): void; onAttach(): void }) {
  return (
    <Drawer opened={opened} onClose={onClose} position="right" title="Files in this notebook" size="md" closeButtonProps={{ "aria-label": "Close the files panel" }}>
      <Stack gap="md" data-testid="files-panel">
        <Text size="sm" c="dimmed">
          Replies are grounded in these files and cite their pages. Drop files anywhere on the page, paste them into the message box, or attach them here.
        </Text>
        <FilesList files={files} uploads={uploads} onRemove={onRemove} onAttach={onAttach} />
      </Stack>
    </Drawer>
  );
}

/** The files with their status and reading progress, uploads under way, and (for who may change them) Choose and Remove. */
export function FilesList({ files, uploads, onRemove, onAttach }: { files: KnowledgeFile[]; uploads: Upload[]; onRemove?(file: KnowledgeFile): void; onAttach?(): void }) {
  return (
    <Stack gap="md">
      {onAttach ? (
        <Button variant="default" leftSection={<IconPaperclip size={14} aria-hidden />} onClick={onAttach} style={{ alignSelf: "flex-start" }}>
          Choose a file…
        </Button>
      ) : null}
      {uploads.map((u) => (
        <UploadProgress key={u.key} upload={u} />
      ))}
      {files.length === 0 && uploads.length === 0 ? <Text size="sm">No files yet.</Text> : null}
      <Stack gap="sm" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {files.map((f) => (
          <li key={f.id} data-testid="panel-file" data-status={f.status} style={{ minWidth: 0 }}>
            <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
              <div style={{ minWidth: 0, flex: 1 }}>
                <Text size="sm" fw={500} style={{ overflowWrap: "anywhere" }}>
                  {f.name}
                </Text>
                <Group gap={6} mt={2}>
                  <Badge size="sm" variant="dot" color={STATUS_COLOR[f.status]}>
                    {f.status === "processing" ? "reading" : f.status}
                  </Badge>
                  <Text size="xs" c="dimmed">
                    {sizeOf(f.size)}
                    {f.status === "ready" ? ` · ${count(f.pages, "page")} · ${count(f.chunkCount, "passage")}` : ""}
                  </Text>
                </Group>
                {f.status === "processing" ? (
                  <Progress mt={4} size="sm" value={readingPercent(f)} animated={!f.chunkCount} aria-label={`Reading ${f.name}: ${f.chunkCount ? `${f.embedded} of ${f.chunkCount} passages` : "starting"}`} />
                ) : null}
                {f.status === "failed" && f.error ? (
                  <Text size="xs" c="red" mt={2}>
                    {f.error}
                  </Text>
                ) : null}
              </div>
              {onRemove ? (
                <Button size="compact-xs" variant="subtle" color="red" leftSection={<IconTrash size={12} aria-hidden />} onClick={() => onRemove(f)} aria-label={`Remove ${f.name}`} data-testid="remove-file">
                  Remove
                </Button>
              ) : null}
            </Group>
          </li>
        ))}
      </Stack>
    </Stack>
  );
}
