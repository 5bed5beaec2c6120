import type { ReactNode } from "react";
import ReactMarkdown, { type Components, type ExtraProps } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import { CopyCodeButton } from "./copy-code-button";
import classes from "./markdown.module.css";

/** The text of a hast node (the code of a fenced block, as written, without the highlighting's spans). */
function textOf(node: unknown): string {
  if (!node || typeof node !== "object") return "";
  const n = node as { type?: string; value?: unknown; children?: unknown[] };
  if (n.type === "text" && typeof n.value === "string") return n.value;
  return (n.children ?? []).map(textOf).join("");
}

/** The language of a fenced block (```ts), from its code element's class "language-ts". */
function languageOf(node: unknown): string | undefined {
  const code = (node as { children?: Array<{ tagName?: string; properties?: { className?: unknown } }> } | undefined)?.children?.find((c) => c.tagName === "code");
  const names = Array.isArray(code?.properties?.className) ? (code.properties.className as unknown[]) : [];
  const language = names.map(String).find((c) => c.startsWith("language-"));
  return language?.slice("language-".length);
}

/** A fenced code block: highlighted, with its language and a copy button. */
function CodeBlock({ node, children }: { children?: ReactNode } & ExtraProps) {
  const code = textOf(node).replace(/\n$/, "");
  const language = languageOf(node);
  return (
    <div className={classes.block} data-testid="code-block">
      <div className={classes.bar}>
        <span className={classes.lang}>{language ?? "code"}</span>
        <CopyCodeButton code={code} />
      </div>
      <pre tabIndex={0}>{children}</pre>
    </div>
  );
}

const components: Components = { pre: CodeBlock };

/**
 * A message's Markdown (GitHub's flavour) with highlighted code blocks (highlight.js's common
 * languages through rehype-highlight). Not a client module: the server renders the messages a
 * page opens with (page.tsx), and the browser loads it as a chunk of its own for the messages that
 * come later, so the chat's first load stays small.
 */
export default function Markdown({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={[[rehypeHighlight, { detect: false }]]} components={components}>
      {text}
    </ReactMarkdown>
  );
}
