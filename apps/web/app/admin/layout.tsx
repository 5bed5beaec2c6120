import type { ReactNode } from "react";
import { AdminShell } from "./ui/access";
import { BRAND } from "../../lib/brand";

export const metadata = { title: `Administration · ${BRAND.name}` };

export default function AdminLayout({ children }: { children: ReactNode }) {
  return <AdminShell>{children}</AdminShell>;
}
