"use client";

import { MetersPanel } from "../ui/meters";

/** Operators: what is metered, Tandem's own meters and those added for the application plane. */
export default function MetersPage() {
  return (
    <>
      <h1>Meters</h1>
      <p className="lead">What usage is counted on. Tandem&apos;s own meters are fed by the app and fixed; add others for your application plane&apos;s events.</p>
      <MetersPanel />
    </>
  );
}
