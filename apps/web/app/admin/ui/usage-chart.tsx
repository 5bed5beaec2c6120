"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { amount } from "../../../lib/control-plane";
import classes from "./admin.module.css";

export interface DayBar {
  /** YYYY-MM-DD (UTC). */
  key: string;
  /** "3 Mar". */
  label: string;
  value: number;
  events: number;
}

const compact = new Intl.NumberFormat("en-GB", { notation: "compact", maximumFractionDigits: 2 });

/**
 * A meter's usage by day as bars (recharts, in Mantine's colours for either scheme). The page
 * gives it a text alternative (role="img" with a summary, and a table of the same numbers), so the
 * drawing itself is hidden from assistive technology.
 */
export default function UsageChart({ bars, unit }: { bars: DayBar[]; unit: string }) {
  return (
    <div className={classes.chart} aria-hidden="true" data-testid="usage-chart">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={bars} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid vertical={false} />
          <XAxis dataKey="label" tickLine={false} minTickGap={12} tick={{ fontSize: 12 }} stroke="var(--mantine-color-default-border)" />
          <YAxis width={48} tickFormatter={(v: number) => compact.format(v)} tick={{ fontSize: 12 }} allowDecimals stroke="var(--mantine-color-default-border)" />
          <Tooltip
            cursor={{ fill: "var(--mantine-color-default-hover)" }}
            formatter={(value) => [`${amount(Number(value))} ${unit}`, "Usage"]}
            contentStyle={{
              background: "var(--mantine-color-body)",
              color: "var(--mantine-color-text)",
              border: "1px solid var(--mantine-color-default-border)",
              borderRadius: "var(--mantine-radius-md)",
              boxShadow: "var(--mantine-shadow-md)",
            }}
            labelStyle={{ color: "var(--mantine-color-text)", fontWeight: 600 }}
            itemStyle={{ color: "var(--mantine-color-text)" }}
          />
          <Bar dataKey="value" fill="var(--mantine-color-blue-filled)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
