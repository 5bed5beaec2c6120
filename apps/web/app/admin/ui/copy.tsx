"use client";

import { Alert, Button, Code, Group, Text } from "@mantine/core";
import { IconCheck, IconCopy, IconKey } from "@tabler/icons-react";
import { useRef, useState } from "react";
import classes from "./admin.module.css";

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
    <Alert color="yellow" variant="light" role="status" data-testid={testId} icon={<IconKey size={18} aria-hidden />} styles={{ message: { color: "var(--mantine-color-text)" } }}>
      <Text size="sm">
        <strong>Copy the {label} now: it is not shown again.</strong> Store it where your scripts keep secrets.
      </Text>
      <Code ref={text} data-testid="client-secret" className={classes.secret} my="sm">
        {secret}
      </Code>
      <Group gap="xs">
        <Button type="button" size="xs" onClick={copy} leftSection={copied === "yes" ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}>
          Copy
        </Button>
        <Button type="button" size="xs" variant="default" onClick={onDismiss}>
          I have stored it
        </Button>
        <Text span size="sm" aria-live="polite">
          {copied === "yes" ? "Copied." : copied === "no" ? "Selected: press Ctrl+C (⌘C) to copy." : ""}
        </Text>
      </Group>
    </Alert>
  );
}
