"use client";

import { notifications } from "@mantine/notifications";

/**
 * A notice that outlives the page it was raised on (Mantine's notifications: after leaving or
 * deleting an organisation, or deleting one's account): a named close button, and its text in the
 * page's text colour (Mantine's grey description is under 4.5:1).
 */
export function showNotice(title: string, message: string): void {
  notifications.show({
    title,
    message,
    color: "green",
    autoClose: 10_000,
    withBorder: true,
    closeButtonProps: { "aria-label": "Close the notice" },
    styles: { description: { color: "var(--mantine-color-text)" } },
  });
}
