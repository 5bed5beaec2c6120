"use client";

import { Alert, Anchor, Text } from "@mantine/core";
import Link from "next/link";

/** An organisation page before its data is there: why it could not load (with the way back), or loading. */
export function PageState({ problem }: { problem: string | undefined }) {
  return (
    <main>
      {problem ? (
        <>
          <Alert color="red" variant="light" role="alert" mb="md">
            {problem}
          </Alert>
          <Anchor component={Link} href="/">
            Back to your organisations
          </Anchor>
        </>
      ) : (
        <Text role="status">Loading…</Text>
      )}
    </main>
  );
}
