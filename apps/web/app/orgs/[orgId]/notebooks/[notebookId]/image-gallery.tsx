"use client";

import type { GeneratedImage } from "@tandem/client/contract";
import { Button, Group } from "@mantine/core";
import { IconDownload, IconTrash } from "@tabler/icons-react";
import { useState, type FormEvent } from "react";

/** A file name for a downloaded image: its prompt's first words. */
function fileNameOf(image: GeneratedImage): string {
  const words = image.prompt.replace(/[^\p{L}\p{N}\s-]/gu, " ").trim().split(/\s+/).slice(0, 6).join("-");
  return `${words || "image"}.png`;
}

/** The notebook's images: generate one, and a grid to open, download or delete them. */
export function ImageGallery({ images, onGenerate, onDelete }: { images: GeneratedImage[]; onGenerate(prompt: string): Promise<boolean>; onDelete(image: GeneratedImage): void }) {
  const [prompt, setPrompt] = useState("");
  const [drawing, setDrawing] = useState(false);
  async function draw(event: FormEvent) {
    event.preventDefault();
    if (!prompt.trim() || drawing) return;
    setDrawing(true);
    try {
      if (await onGenerate(prompt)) setPrompt("");
    } finally {
      setDrawing(false);
    }
  }
  return (
    <details className="card images" open={images.length > 0}>
      <summary>Images ({images.length})</summary>
      <form className="stack" onSubmit={draw}>
        <input value={prompt} onChange={(e) => setPrompt(e.target.value)} placeholder="Describe an image" aria-label="Image description" maxLength={1024} />
        <button type="submit" disabled={drawing || !prompt.trim()} data-testid="generate-image">
          {drawing ? "Drawing…" : "Generate image"}
        </button>
      </form>
      <div className="gallery" data-testid="gallery">
        {images.map((image) => (
          <figure key={image.id} data-testid="gallery-image">
            <a href={image.url} target="_blank" rel="noreferrer">
              {/* Presigned S3 links: not for Next's image optimiser. */}
              <img src={image.url} alt={image.prompt} width={image.width} height={image.height} loading="lazy" />
            </a>
            <figcaption>{image.prompt}</figcaption>
            <Group gap={4} mt={4} wrap="wrap">
              <Button component="a" href={image.downloadUrl} download={fileNameOf(image)} size="compact-xs" variant="default" leftSection={<IconDownload size={12} aria-hidden />} aria-label={`Download image: ${image.prompt}`} data-testid="download-image">
                Download
              </Button>
              <Button size="compact-xs" variant="subtle" color="red" leftSection={<IconTrash size={12} aria-hidden />} onClick={() => onDelete(image)} aria-label={`Delete image: ${image.prompt}`} data-testid="delete-image">
                Delete
              </Button>
            </Group>
          </figure>
        ))}
      </div>
    </details>
  );
}
