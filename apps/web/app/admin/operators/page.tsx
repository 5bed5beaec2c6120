"use client";

import { ClientsPanel } from "../ui/clients";
import { OperatorsPanel } from "../ui/operators";
import { PageTitle } from "../ui/parts";

/** Operators: who runs the installation, and the credentials its scripts use. */
export default function OperatorsPage() {
  return (
    <>
      <PageTitle title="Operators & clients" lead="Who runs this installation, and the credentials its scripts use." />
      <OperatorsPanel />
      <ClientsPanel />
    </>
  );
}
