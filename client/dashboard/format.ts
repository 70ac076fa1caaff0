import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { byId, h, replaceChildren } from "../lib/dom";
import { state } from "./state";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`;
export const num = (v: number | null | undefined) =>
  v === null || v === undefined ? "—" : v.toLocaleString("zh-CN");
export const hours = (v: number | null) =>
  v === null ? "—" : v >= 48 ? `${(v / 24).toFixed(1)} 天` : `${v} 小时`;
export const days = (v: number | null) => (v === null ? "—" : `${v} 天`);
export const nameOf = (id: string) => state.names.get(id) ?? id;

export function barChart(
  id: string,
  labels: string[],
  datasets: { label: string; data: number[]; color: string; axis?: string }[],
  opts: { horizontal?: boolean; percentAxis?: boolean } = {},
) {
  state.charts.get(id)?.destroy();
  const scales: Record<string, object> = { x: { ticks: { autoSkip: false } }, y: { beginAtZero: true } };
  if (datasets.some((d) => d.axis === "y1")) {
    scales.y1 = {
      beginAtZero: true,
      position: "right",
      grid: { drawOnChartArea: false },
      ticks: { callback: (v: number | string) => `${v}%` },
    };
  }
  if (opts.percentAxis)
    scales.x = { beginAtZero: true, ticks: { callback: (v: number | string) => `${v}%` } };
  const chart = new Chart(byId<HTMLCanvasElement>(id), {
    type: "bar",
    data: {
      labels,
      datasets: datasets.map((d) => ({
        maxBarThickness: 56,
        label: d.label,
        data: d.data,
        backgroundColor: d.color,
        yAxisID: d.axis ?? (opts.horizontal ? undefined : "y"),
      })),
    },
    options: {
      indexAxis: opts.horizontal ? "y" : "x",
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom" } },
      scales: opts.horizontal ? { x: scales.x!, y: { ticks: { autoSkip: false } } } : scales,
    },
  });
  state.charts.set(id, chart);
}

export const short = (name: string) => name.replace(/^济南市/, "");

export function table(id: string, head: string[], rows: (Node | string)[][]) {
  const cells = (row: (Node | string)[], tag: "td" | "th") =>
    row.map((c, i) => h(tag, { className: i > 0 ? "num" : "" }, c));
  replaceChildren(
    byId(id),
    h("thead", {}, h("tr", {}, ...cells(head, "th"))),
    h(
      "tbody",
      {},
      ...(rows.length
        ? rows.map((r) => h("tr", {}, ...cells(r, "td")))
        : [h("tr", {}, h("td", { colspan: String(head.length), className: "muted" }, "暂无数据"))]),
    ),
  );
}
