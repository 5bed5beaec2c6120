"use client";

import { useEffect, useState } from "react";

// The Markdown renderer (react-markdown with GFM and highlight.js) comes in its own chunk, fetched
// when the first message is shown: the chat's first load stays small, and an empty notebook does
// not spend a phone's time on it while it starts. Until it is there a message shows as plain text.
const loadMarkdown = () => import("./markdown");
type MarkdownComponent = Awaited<ReturnType<typeof loadMarkdown>>["default"];

export function MessageText({ text }: { text: string }) {
  const [Markdown, setMarkdown] = useState<MarkdownComponent | undefined>();
  useEffect(() => {
    let live = true;
    void loadMarkdown().then((m) => live && setMarkdown(() => m.default));
    return () => {
      live = false;
    };
  }, []);
  return Markdown ? <Markdown text={text} /> : <p style={{ whiteSpace: "pre-wrap" }}>{text}</p>;
}
