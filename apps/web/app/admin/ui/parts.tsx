"use client";

import { ActionIcon, Alert, Button, Collapse, CopyButton, Paper, Stack, Table, Text, Title, Tooltip, type TableProps } from "@mantine/core";
import { IconAlertCircle, IconCheck, IconChevronDown, IconChevronRight, IconCopy } from "@tabler/icons-react";
import { useId, useState, type ReactNode } from "react";
import classes from "./admin.module.css";

export { classes };

/** A page's heading and the sentence under it. */
export function PageTitle({ title, lead, testId }: { title: ReactNode; lead?: ReactNode; testId?: string }) {
  return (
    <>
      <Title order={1} data-testid={testId} style={{ overflowWrap: "anywhere" }}>
        {title}
      </Title>
      {lead ? (
        <Text c="dimmed" mt={4} mb="lg">
          {lead}
        </Text>
      ) : null}
    </>
  );
}

/** A bordered section of an admin page with its heading; the heading names the region. */
export function Panel({ id, title, children, testId, busy, description }: { id: string; title: ReactNode; children: ReactNode; testId?: string; busy?: boolean; description?: ReactNode }) {
  return (
    <Paper withBorder radius="md" p={{ base: "md", sm: "lg" }} mb="lg" component="section" aria-labelledby={id} aria-busy={busy} data-testid={testId}>
      <Stack gap="sm">
        <Title order={2} id={id} size="h3">
          {title}
        </Title>
        {description ? (
          <Text size="sm" c="dimmed">
            {description}
          </Text>
        ) : null}
        {children}
      </Stack>
    </Paper>
  );
}

/** Quiet words: empty lists, loading, what a field means. */
export function Hint({ children, testId, id }: { children: ReactNode; testId?: string; id?: string }) {
  return (
    <Text size="sm" c="dimmed" data-testid={testId} id={id}>
      {children}
    </Text>
  );
}

/** Something went wrong: said at once to assistive technology. */
export function Problem({ children, testId, live = true }: { children: ReactNode; testId?: string; live?: boolean }) {
  return (
    <Alert color="red" variant="light" role={live ? "alert" : undefined} data-testid={testId} icon={<IconAlertCircle size={18} aria-hidden />} styles={{ message: { overflowWrap: "anywhere" } }}>
      {children}
    </Alert>
  );
}

/** A table of the admin pages: each row becomes a card below 45rem (cells name themselves with data-label). */
export function DataTable({ children, caption, wideLabels, className, ...props }: TableProps & { caption: ReactNode; wideLabels?: boolean; "data-testid"?: string }) {
  return (
    <Table verticalSpacing="xs" horizontalSpacing="sm" className={[classes.table, wideLabels ? classes.wideLabels : "", className ?? ""].join(" ")} {...props}>
      <Table.Caption style={visuallyHidden}>{caption}</Table.Caption>
      {children}
    </Table>
  );
}

export const visuallyHidden = {
  position: "absolute",
  width: 1,
  height: 1,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  clipPath: "inset(50%)",
  whiteSpace: "nowrap",
} as const;

/** A button that shows and hides what follows it (a native details, in Mantine's look). */
export function Disclosure({ label, children, defaultOpened = false }: { label: ReactNode; children: ReactNode; defaultOpened?: boolean }) {
  const [opened, setOpened] = useState(defaultOpened);
  const id = useId();
  return (
    <div>
      <Button
        type="button"
        variant="subtle"
        size="compact-sm"
        px={4}
        aria-expanded={opened}
        aria-controls={id}
        onClick={() => setOpened((o) => !o)}
        leftSection={opened ? <IconChevronDown size={14} aria-hidden /> : <IconChevronRight size={14} aria-hidden />}
      >
        {label}
      </Button>
      <Collapse in={opened} id={id}>
        {children}
      </Collapse>
    </div>
  );
}

/** A copy button for one value (an id): says "Copied" for two seconds after a click. */
export function CopyId({ value, label, testId }: { value: string; label: string; testId?: string }) {
  return (
    <CopyButton value={value} timeout={2000}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? "Copied" : `Copy ${label}`} withArrow position="top">
          <ActionIcon variant="subtle" color={copied ? "teal" : "gray"} size="sm" onClick={copy} aria-label={copied ? `Copied ${label}` : `Copy ${label}`} data-testid={testId} data-copied={copied ? "true" : undefined}>
            {copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}
