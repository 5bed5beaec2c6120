"use client";

import { useEffect, useRef, type ReactNode } from "react";

/**
 * A modal question before something that cannot be undone: the browser's own <dialog> (focus
 * moves into it and stays there, Escape cancels, the page behind is inert). Cancel has the focus
 * first, so Enter alone never confirms.
 */
export function ConfirmDialog(props: { open: boolean; title: string; children: ReactNode; confirmLabel: string; pending?: boolean; error?: string; onConfirm: () => void; onCancel: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (props.open && !d.open) {
      d.showModal();
      cancel.current?.focus();
    } else if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={dialog} className="confirm" aria-labelledby="confirm-title" onCancel={(e) => { e.preventDefault(); props.onCancel(); }} data-testid="confirm-dialog">
      <h2 id="confirm-title">{props.title}</h2>
      <div className="stack">{props.children}</div>
      {props.error ? (
        <p className="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <div className="actions end">
        <button type="button" className="secondary" ref={cancel} onClick={props.onCancel} disabled={props.pending}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={props.onConfirm} disabled={props.pending}>
          {props.pending ? "Working…" : props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
