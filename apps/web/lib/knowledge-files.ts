"use client";

import type { KnowledgeFile, UploadResponse } from "@tandem/client/contract";
import { useCallback, useEffect, useState } from "react";
import { confirmAction } from "../app/ui/confirm";
import type { Upload } from "../app/orgs/[orgId]/notebooks/[notebookId]/upload-progress";
import { api, describeError } from "./browser-api";
import { contentTypeOf, uploadWithProgress } from "./upload";

/**
 * The knowledge files of a notebook or a project (`filesUrl`: their collection in the API): the
 * list, uploads with their progress (registered, sent straight to storage, then queued for
 * reading), the reading's progress (polled while a file is read), and removal with confirmation.
 * Problems go to `onProblem`, each naming the file.
 */
export function useKnowledgeFiles(filesUrl: string, onProblem: (problem: string | undefined) => void, removeText: string, initial?: KnowledgeFile[]) {
  const [files, setFiles] = useState<KnowledgeFile[]>(initial ?? []);
  const [uploads, setUploads] = useState<Upload[]>([]);

  const reloadFiles = useCallback(async () => {
    const r = await api<{ files: KnowledgeFile[] }>(filesUrl).catch(() => undefined);
    if (r) setFiles(r.files);
  }, [filesUrl]);

  // While a file is being read, its progress is fetched every second and a half.
  const processing = files.some((f) => f.status === "processing");
  useEffect(() => {
    if (!processing) return;
    const timer = setInterval(() => void reloadFiles(), 1_500);
    return () => clearInterval(timer);
  }, [processing, reloadFiles]);

  /** One file: registered, uploaded straight to storage (with its progress), then queued for reading. */
  async function attach(file: File) {
    const key = `${file.name}-${Date.now()}-${Math.random()}`;
    const update = (change: Partial<Upload>) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));
    setUploads((list) => [...list, { key, name: file.name, percent: 0, phase: "uploading" }]);
    try {
      const registered = await api<UploadResponse>(filesUrl, { body: { name: file.name, type: contentTypeOf(file), size: file.size } });
      setFiles((list) => [registered.file, ...list.filter((f) => f.id !== registered.file.id)]);
      const status = await uploadWithProgress(registered.upload, file, (percent) => update({ percent }));
      if (status >= 500) throw new Error(`The file storage is not working right now (${status}), so ${file.name} was not uploaded. Try again in a few minutes.`);
      if (status >= 300) throw new Error(`Storage refused ${file.name} (${status}): its type or size differs from what was declared. Check the file, then try again.`);
      update({ phase: "checking", percent: 100 });
      // Queues its reading; the list shows the progress and the outcome.
      await api(`${filesUrl}/${registered.file.id}/complete`, { method: "POST" }).catch((error: unknown) => onProblem(`${file.name}: ${describeError(error)}`));
    } catch (error) {
      onProblem(`${file.name}: ${describeError(error)}`);
    } finally {
      setUploads((list) => list.filter((u) => u.key !== key));
      await reloadFiles();
    }
  }

  function attachAll(chosen: File[]) {
    onProblem(undefined);
    for (const file of chosen) void attach(file);
  }

  async function removeFile(file: KnowledgeFile) {
    const ok = await confirmAction({ title: `Remove ${file.name}?`, body: removeText, confirmLabel: "Remove file" });
    if (!ok) return;
    try {
      await api(`${filesUrl}/${file.id}`, { method: "DELETE" });
      setFiles((list) => list.filter((f) => f.id !== file.id));
    } catch (error) {
      onProblem(describeError(error));
    }
    await reloadFiles();
  }

  return { files, uploads, reloadFiles, attachAll, removeFile };
}
