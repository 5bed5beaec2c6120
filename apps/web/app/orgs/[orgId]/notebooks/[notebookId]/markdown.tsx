"use client";

import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";

/** A message's Markdown (GitHub's flavour); loaded after the page, so the chat's first load stays small. */
export default function Markdown({ text }: { text: string }) {
  return <ReactMarkdown remarkPlugins={[remarkGfm]}>{text}</ReactMarkdown>;
}
