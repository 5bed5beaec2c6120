"use client";

import { Kbd, Modal, Table } from "@mantine/core";

/** The chat's keyboard shortcuts (Ctrl/⌘ + / opens this list). */
export const SHORTCUTS: Array<[keys: string[], what: string]> = [
  [["Enter"], "Send the message"],
  [["Shift", "Enter"], "New line in the message"],
  [["Esc"], "Stop the reply being written"],
  [["↑"], "Edit your last question (in an empty message box)"],
  [["Ctrl/⌘", "Shift", "O"], "New notebook"],
  [["Ctrl/⌘", "/"], "Show these shortcuts"],
];

export function ShortcutsModal({ opened, onClose }: { opened: boolean; onClose(): void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" closeButtonProps={{ "aria-label": "Close the keyboard shortcuts" }}>
      <Table data-testid="shortcuts">
        <Table.Tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <Table.Tr key={what}>
              <Table.Td style={{ whiteSpace: "nowrap" }}>
                {keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 ? " + " : null}
                    <Kbd size="xs">{k}</Kbd>
                  </span>
                ))}
              </Table.Td>
              <Table.Td>{what}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
