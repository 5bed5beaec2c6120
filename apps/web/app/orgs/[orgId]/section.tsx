"use client";

import { Paper, Stack, Title } from "@mantine/core";
import type { ReactNode } from "react";

/** A bordered section with a heading; the heading names the region. */
export function Section({ id, title, children, testId }: { id: string; title: string; children: ReactNode; testId?: string }) {
  return (
    <Paper withBorder radius="md" p="lg" mt="md" component="section" aria-labelledby={id} data-testid={testId}>
      <Stack gap="sm">
        <Title order={2} id={id} size="h3">
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}
