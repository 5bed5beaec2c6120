"use client";

import { PageTitle } from "../ui/parts";
import { PricesPanel } from "../ui/prices";

/** Operators: the versioned price table that every model call is priced with. */
export default function PricesPage() {
  return (
    <>
      <PageTitle title="Prices" lead="What model calls cost, by model and unit. Each call is priced with the version in force when it was made." />
      <PricesPanel />
    </>
  );
}
