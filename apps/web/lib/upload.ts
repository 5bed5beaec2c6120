"use client";

/** What the browser sends to storage: the presigned POST's URL and form fields, then the file. */
export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

/**
 * Uploads a file straight to storage with a presigned POST, reporting progress (0–100) as the
 * bytes leave the browser: XMLHttpRequest, because fetch has no upload progress. Resolves with
 * the storage's status code; rejects only when storage cannot be reached or the upload is aborted.
 */
export function uploadWithProgress(target: PresignedPost, file: File, onProgress: (percent: number) => void, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(target.fields)) form.append(k, v);
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", target.url);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(Math.min(100, Math.round((event.loaded / event.total) * 100)));
    });
    xhr.addEventListener("load", () => {
      onProgress(100);
      resolve(xhr.status);
    });
    xhr.addEventListener("error", () => reject(new Error(`The file storage cannot be reached, so ${file.name} was not uploaded. Try again in a few minutes; if it keeps failing, tell your operator.`)));
    xhr.addEventListener("abort", () => reject(new DOMException("The upload was cancelled.", "AbortError")));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    onProgress(0);
    xhr.send(form);
  });
}

/** The content type to declare for a file: what the browser says, or one guessed from its name. */
export function contentTypeOf(file: File): string {
  if (file.type) return file.type;
  const name = file.name.toLowerCase();
  if (name.endsWith(".md") || name.endsWith(".markdown")) return "text/markdown";
  if (name.endsWith(".txt")) return "text/plain";
  if (name.endsWith(".html") || name.endsWith(".htm")) return "text/html";
  if (name.endsWith(".pdf")) return "application/pdf";
  if (name.endsWith(".docx")) return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  return "application/octet-stream";
}
