"use client";

import { ActionIcon, CopyButton, Tooltip } from "@mantine/core";
import { IconCheck, IconCopy } from "@tabler/icons-react";

/** A copy button for one value (an API key, an id): says "Copied" for two seconds after a click. */
export function CopyValue({ value, label, testId }: { value: string; label: string; testId?: string }) {
  return (
    <CopyButton value={value} timeout={2000}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? "Copied" : `Copy ${label}`} withArrow position="top">
          <ActionIcon variant="subtle" color={copied ? "teal" : "gray"} onClick={copy} aria-label={copied ? `Copied ${label}` : `Copy ${label}`} data-testid={testId} data-copied={copied ? "true" : undefined}>
            {copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}
