import { Badge, type MantineColor } from "@mantine/core";
import type { TenantStatus } from "../../../lib/control-plane";

const LABEL: Record<TenantStatus, string> = {
  provisioning: "Provisioning",
  active: "Active",
  suspended: "Suspended",
  failed: "Failed",
  offboarding: "Offboarding",
  offboarded: "Offboarded",
};

const STATUS_COLOR: Record<string, MantineColor> = {
  provisioning: "blue",
  active: "green",
  suspended: "yellow",
  failed: "red",
  offboarding: "blue",
  offboarded: "gray",
};

const OUTCOME_COLOR: Record<string, MantineColor> = { success: "green", created: "green", failure: "red", failed: "red", denied: "red" };

/**
 * A word with a coloured dot (Mantine's dot badge): the text keeps the page's own colour, so it
 * reads in both schemes; the words carry the meaning, the colour only helps.
 */
export function DotBadge({ color, children, testId, title, ...data }: { color: MantineColor; children: string; testId?: string; title?: string } & Record<`data-${string}`, string | undefined>) {
  return (
    <Badge variant="dot" color={color} radius="xl" tt="none" fw={600} size="md" data-testid={testId} title={title} style={{ flex: "none" }} {...data}>
      {children}
    </Badge>
  );
}

/** A tenant's status in words and colour. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <DotBadge color={STATUS_COLOR[status] ?? "gray"} testId="tenant-status" data-status={status}>
      {LABEL[status as TenantStatus] ?? status}
    </DotBadge>
  );
}

/** An audit entry's or a registration's outcome. */
export function OutcomeBadge({ outcome }: { outcome: string }) {
  return (
    <DotBadge color={OUTCOME_COLOR[outcome] ?? "gray"} data-outcome={outcome}>
      {outcome}
    </DotBadge>
  );
}
