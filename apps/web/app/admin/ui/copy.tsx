"use client";

import { useRef, useState } from "react";

/** A secret shown this once, with a button that copies it (and selects it, where copying is not allowed). */
export function SecretOnce({ label, secret, onDismiss, testId }: { label: string; secret: string; onDismiss: () => void; testId?: string }) {
  const [copied, setCopied] = useState<"yes" | "no" | undefined>();
  const text = useRef<HTMLElement>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      const selection = window.getSelection();
      if (text.current && selection) selection.selectAllChildren(text.current);
      setCopied("no");
    }
  }
  return (
    <div className="secret stack" role="status" data-testid={testId}>
      <p>
        <strong>Copy the {label} now: it is not shown again.</strong> Store it where your scripts keep secrets.
      </p>
      <code ref={text} data-testid="client-secret">
        {secret}
      </code>
      <div className="actions wrap">
        <button type="button" className="small" onClick={copy}>
          Copy
        </button>
        <button type="button" className="small secondary" onClick={onDismiss}>
          I have stored it
        </button>
        <span aria-live="polite" className="hint">
          {copied === "yes" ? "Copied." : copied === "no" ? "Selected: press Ctrl+C (⌘C) to copy." : ""}
        </span>
      </div>
    </div>
  );
}
