"use client";

import type { KnowledgeFile } from "@tandem/client/contract";
import { Progress, Text } from "@mantine/core";

/** A file on its way to storage: its upload's percentage, then the check before it is read. */
export interface Upload {
  key: string;
  name: string;
  percent: number;
  phase: "uploading" | "checking";
}

/** How far a file's reading has got, in per cent (passages embedded of those cut). */
export function readingPercent(f: KnowledgeFile): number {
  return f.chunkCount ? Math.round((f.embedded / f.chunkCount) * 100) : 0;
}

/** One upload's progress bar with its percentage: shared by the composer and the files panel. */
export function UploadProgress({ upload }: { upload: Upload }) {
  const label = upload.phase === "uploading" ? `Uploading ${upload.name}: ${upload.percent}%` : `Checking ${upload.name}…`;
  return (
    <div data-testid="upload" data-phase={upload.phase} data-percent={upload.percent} style={{ minWidth: 0 }}>
      <Text size="xs" style={{ overflowWrap: "anywhere" }}>
        {label}
      </Text>
      <Progress value={upload.phase === "uploading" ? upload.percent : 100} animated={upload.phase === "checking"} size="sm" aria-label={label} />
    </div>
  );
}

