"use client";

import { useEffect, useState, type ReactNode } from "react";

// The Markdown renderer (react-markdown with GFM and highlight.js) comes in its own chunk, fetched
// when a message needs it: the chat's first load stays small, and a phone does not spend its start
// on it (the messages a page opens with come rendered by the server). Until it is there a message
// shows as plain text.
const loadMarkdown = () => import("./markdown");
type MarkdownComponent = Awaited<ReturnType<typeof loadMarkdown>>["default"];

/** A message's Markdown as the server rendered it when the page opened (page.tsx), for that text. */
export interface Rendered {
  readonly text: string;
  readonly node: ReactNode;
}

export function MessageText({ text, rendered }: { text: string; rendered?: Rendered }) {
  // The server's rendering while the text is the one it rendered: nothing to load or redo.
  const served = rendered?.text === text;
  const [Markdown, setMarkdown] = useState<MarkdownComponent | undefined>();
  useEffect(() => {
    if (served) return;
    let live = true;
    void loadMarkdown().then((m) => live && setMarkdown(() => m.default));
    return () => {
      live = false;
    };
  }, [served]);
  if (served) return <>{rendered.node}</>;
  return Markdown ? <Markdown text={text} /> : <p style={{ whiteSpace: "pre-wrap" }}>{text}</p>;
}
