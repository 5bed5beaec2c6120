import type { TenantStatus } from "../../../lib/control-plane";

const LABEL: Record<TenantStatus, string> = {
  provisioning: "Provisioning",
  active: "Active",
  suspended: "Suspended",
  failed: "Failed",
  offboarding: "Offboarding",
  offboarded: "Offboarded",
};

/** A tenant's status in words and colour (the words carry the meaning; the colour only helps). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className="badge" data-status={status} data-testid="tenant-status">
      {LABEL[status as TenantStatus] ?? status}
    </span>
  );
}
