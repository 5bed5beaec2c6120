import type { ReactNode } from "react";
import { AdminShell } from "./ui/access";

export const metadata = { title: "Administration · Tandem" };

export default function AdminLayout({ children }: { children: ReactNode }) {
  return <AdminShell>{children}</AdminShell>;
}
