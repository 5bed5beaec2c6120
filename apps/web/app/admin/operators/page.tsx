"use client";

import { ClientsPanel } from "../ui/clients";
import { OperatorsPanel } from "../ui/operators";

/** Operators: who runs the installation, and the credentials its scripts use. */
export default function OperatorsPage() {
  return (
    <>
      <h1>Operators &amp; clients</h1>
      <p className="lead">Who runs this installation, and the credentials its scripts use.</p>
      <OperatorsPanel />
      <ClientsPanel />
    </>
  );
}
