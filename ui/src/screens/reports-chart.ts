//! The two charts of the progress report, drawn by hand as SVG (no chart library): progress
//! per residential group against its target (a bar per group, the 100 % line, the seeds'
//! percentage printed at the bar's end), and what happened on each day (enrolled, approved,
//! activated side by side). Every figure is also printed in the tables beside them, and the
//! bars carry text labels, so nothing is told by colour alone.

import type { DayBar, GroupBar } from "../ipc";

const NS = "http://www.w3.org/2000/svg";

type SvgAttrs = Readonly<Record<string, string | number>>;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: SvgAttrs = {},
  ...children: readonly (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  el.append(...children);
  return el;
}

function frame(width: number, height: number, label: string, testid: string): SVGSVGElement {
  return svg(
    "svg",
    {
      viewBox: `0 0 ${width} ${height}`,
      width: "100%",
      role: "img",
      "aria-label": label,
      "data-testid": testid,
      class: "chart",
    },
    svg("title", {}, label),
  );
}

const ROW = 34;
const LABEL_W = 220;
const BAR_W = 560;
/** Bars longer than 120 % of the target are cut (and say their figure). */
const CAP = 1.2;

/** One bar per group with a target; `null` when no group has one. */
export function progressChart(
  groups: readonly GroupBar[],
  total: GroupBar | null,
  label: string,
  targetLabel: string,
): SVGSVGElement | null {
  const rows = [...groups, ...(total === null ? [] : [total])].filter((g) => g.hundredths !== null);
  if (rows.length === 0) return null;
  const height = rows.length * ROW + 40;
  const width = LABEL_W + BAR_W * CAP + 110;
  const chart = frame(width, height, label, "chart-progress");
  const full = LABEL_W + BAR_W;
  rows.forEach((g, i) => {
    const y = 10 + i * ROW;
    const share = Math.min((g.hundredths ?? 0) / 10_000, CAP);
    const isTotal = total !== null && g === total;
    chart.append(
      svg(
        "text",
        { x: LABEL_W - 8, y: y + ROW / 2 + 5, "text-anchor": "end", class: "chart-label" },
        g.name,
      ),
      svg("rect", {
        x: LABEL_W,
        y: y + 5,
        width: Math.max(share * BAR_W, 1),
        height: ROW - 10,
        class: isTotal ? "bar-total" : "bar-progress",
        "data-testid": "chart-progress-bar",
        "data-hundredths": g.hundredths ?? 0,
      }),
      svg(
        "text",
        { x: LABEL_W + share * BAR_W + 6, y: y + ROW / 2 + 5, class: "chart-value" },
        `${g.progress ?? ""} (${g.activated}/${g.target})`,
      ),
    );
  });
  chart.append(
    svg("line", {
      x1: full,
      x2: full,
      y1: 4,
      y2: height - 26,
      class: "chart-target",
    }),
    svg(
      "text",
      { x: full, y: height - 8, "text-anchor": "middle", class: "chart-label" },
      targetLabel,
    ),
  );
  return chart;
}

const SERIES = ["enrolled", "approved", "activated"] as const;

/** Three bars a day; a label under every few days so they never overlap. */
export function dailyChart(
  days: readonly DayBar[],
  label: string,
  legend: Readonly<Record<(typeof SERIES)[number], string>>,
): SVGSVGElement {
  const slot = 30;
  const plotH = 200;
  const left = 44;
  const width = left + Math.max(days.length, 1) * slot + 20;
  const height = plotH + 80;
  const chart = frame(width, height, label, "chart-daily");
  const max = Math.max(1, ...days.map((d) => Math.max(d.enrolled, d.approved, d.activated)));
  const every = Math.max(1, Math.ceil(days.length / 16));
  chart.append(
    svg("line", { x1: left, x2: width - 10, y1: plotH + 10, y2: plotH + 10, class: "chart-axis" }),
    svg("text", { x: left - 6, y: 16, "text-anchor": "end", class: "chart-label" }, String(max)),
    svg("text", { x: left - 6, y: plotH + 14, "text-anchor": "end", class: "chart-label" }, "0"),
  );
  days.forEach((d, i) => {
    const x = left + i * slot + 3;
    SERIES.forEach((series, k) => {
      const h = (d[series] / max) * plotH;
      chart.append(
        svg("rect", {
          x: x + k * 8,
          y: plotH + 10 - h,
          width: 7,
          height: Math.max(h, 0),
          class: `bar-${series}`,
          "data-testid": `chart-daily-${series}`,
          "data-value": d[series],
        }),
      );
    });
    if (i % every === 0) {
      chart.append(
        svg(
          "text",
          { x: x + 12, y: plotH + 30, "text-anchor": "middle", class: "chart-label" },
          d.day,
        ),
      );
    }
  });
  SERIES.forEach((series, k) => {
    const x = left + k * 170;
    chart.append(
      svg("rect", { x, y: plotH + 48, width: 16, height: 16, class: `bar-${series}` }),
      svg("text", { x: x + 22, y: plotH + 62, class: "chart-label" }, legend[series]),
    );
  });
  return chart;
}
