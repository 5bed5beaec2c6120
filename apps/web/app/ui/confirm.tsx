"use client";

import { Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import type { ReactNode } from "react";

export interface ConfirmOptions {
  /** What is about to happen, as a question: "Delete this notebook?" */
  title: string;
  /** What it removes or changes, and whether it can be undone. */
  body: ReactNode;
  /** The button's words: "Delete notebook", "Remove member". */
  confirmLabel: string;
  /** Red button for what cannot be undone (the default). */
  danger?: boolean;
}

/**
 * A confirmation dialog (Mantine's modals) for destructive actions: resolves true when confirmed,
 * false when cancelled or closed. Focus starts on Cancel, so Enter never destroys by accident.
 */
export function confirmAction(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (value: boolean) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    modals.openConfirmModal({
      title: options.title,
      children: typeof options.body === "string" ? <Text size="sm">{options.body}</Text> : options.body,
      labels: { confirm: options.confirmLabel, cancel: "Cancel" },
      confirmProps: { color: options.danger === false ? undefined : "red", "data-testid": "confirm-action" } as Record<string, unknown>,
      cancelProps: { "data-autofocus": true, "data-testid": "confirm-cancel" } as Record<string, unknown>,
      closeButtonProps: { "aria-label": "Close" },
      onConfirm: () => settle(true),
      onCancel: () => settle(false),
      onClose: () => settle(false),
    });
  });
}
