"use client";

import { PricesPanel } from "../ui/prices";

/** Operators: the versioned price table that every model call is priced with. */
export default function PricesPage() {
  return (
    <>
      <h1>Prices</h1>
      <p className="lead">What model calls cost, by model and unit. Each call is priced with the version in force when it was made.</p>
      <PricesPanel />
    </>
  );
}
