"use client";

import { Button, CopyButton } from "@mantine/core";
import { IconCheck, IconCopy } from "@tabler/icons-react";

/** A code block's copy button (its own client component, so the Markdown around it can also be rendered on the server). */
export function CopyCodeButton({ code }: { code: string }) {
  return (
    <CopyButton value={code} timeout={2000}>
      {({ copied, copy }) => (
        <Button size="compact-xs" variant="default" onClick={copy} leftSection={copied ? <IconCheck size={12} aria-hidden /> : <IconCopy size={12} aria-hidden />} data-testid="copy-code">
          {copied ? "Copied" : "Copy code"}
        </Button>
      )}
    </CopyButton>
  );
}
