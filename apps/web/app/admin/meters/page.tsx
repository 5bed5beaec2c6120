"use client";

import { MetersPanel } from "../ui/meters";
import { PageTitle } from "../ui/parts";

/** Operators: what is metered, Tandem's own meters and those added for the application plane. */
export default function MetersPage() {
  return (
    <>
      <PageTitle title="Meters" lead="What usage is counted on. Tandem's own meters are fed by the app and fixed; add others for your application plane's events." />
      <MetersPanel />
    </>
  );
}
