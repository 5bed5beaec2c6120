"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { amount } from "../../../lib/control-plane";

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
 * A meter's usage by day as bars (recharts). The page gives it a text alternative (role="img"
 * with a summary, and a table of the same numbers), so the drawing itself is hidden from
 * assistive technology.
 */
export default function UsageChart({ bars, unit }: { bars: DayBar[]; unit: string }) {
  return (
    <div className="chart" aria-hidden="true" data-testid="usage-chart">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={bars} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid vertical={false} strokeOpacity={0.3} />
          <XAxis dataKey="label" tickLine={false} minTickGap={12} tick={{ fontSize: 12 }} />
          <YAxis width={48} tickFormatter={(v: number) => compact.format(v)} tick={{ fontSize: 12 }} allowDecimals />
          <Tooltip
            cursor={{ fillOpacity: 0.15 }}
            formatter={(value) => [`${amount(Number(value))} ${unit}`, "Usage"]}
            contentStyle={{ background: "Canvas", color: "CanvasText", borderRadius: 8 }}
          />
          <Bar dataKey="value" fill="#0969da" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
