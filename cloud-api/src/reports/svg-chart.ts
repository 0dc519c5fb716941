import { escapeHtml } from "./escape.js";

/*
 * A small SVG chart renderer, rendered on the server: line charts over time, bar charts, and a heat grid.
 * Self-contained (no fonts, scripts or links), sized in viewBox units so it prints at any width.
 */

const W = 640;
const H = 220;
const PAD = { left: 56, right: 12, top: 24, bottom: 28 };
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

export interface Series {
  name: string;
  points: [number, number][];
}

const fmt = (n: number) =>
  Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(1) : n.toFixed(3);

function frame(title: string, body: string, legend: string[] = []): string {
  const items = legend
    .map(
      (name, i) =>
        `<text x="${PAD.left + 8 + i * 120}" y="14" font-size="11" fill="${COLORS[i % COLORS.length]}">■ ${escapeHtml(name)}</text>`,
    )
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}" class="chart">` +
    `<title>${escapeHtml(title)}</title>${items}${body}</svg>`
  );
}

function axes(minY: number, maxY: number, xLabels: [string, string]): string {
  const y0 = H - PAD.bottom;
  return (
    `<line x1="${PAD.left}" y1="${y0}" x2="${W - PAD.right}" y2="${y0}" stroke="#444"/>` +
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${y0}" stroke="#444"/>` +
    `<text x="${PAD.left - 4}" y="${PAD.top + 4}" font-size="10" text-anchor="end">${fmt(maxY)}</text>` +
    `<text x="${PAD.left - 4}" y="${y0}" font-size="10" text-anchor="end">${fmt(minY)}</text>` +
    `<text x="${PAD.left}" y="${H - 8}" font-size="10">${escapeHtml(xLabels[0])}</text>` +
    `<text x="${W - PAD.right}" y="${H - 8}" font-size="10" text-anchor="end">${escapeHtml(xLabels[1])}</text>`
  );
}

/** Lines over a numeric x (e.g. ms epoch); `xLabel` formats the two ends of the x axis. */
export function lineChart(title: string, series: Series[], xLabel: (x: number) => string): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0)
    return frame(
      title,
      `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="12">no data in this window</text>`,
    );
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [minX, maxX] = [Math.min(...xs), Math.max(...xs)];
  const [minY, maxY] = [Math.min(0, ...ys), Math.max(...ys, 1e-9)];
  const sx = (x: number) => PAD.left + ((x - minX) / (maxX - minX || 1)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - ((y - minY) / (maxY - minY || 1)) * (H - PAD.top - PAD.bottom);
  const lines = series
    .map((s, i) => {
      const d = s.points
        .map(([x, y], k) => `${k === 0 ? "M" : "L"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
        .join("");
      return `<path d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5"/>`;
    })
    .join("");
  return frame(
    title,
    axes(minY, maxY, [xLabel(minX), xLabel(maxX)]) + lines,
    series.map((s) => s.name),
  );
}

/** One bar per labelled value. */
export function barChart(title: string, bars: { label: string; value: number }[]): string {
  if (bars.length === 0) return lineChart(title, [], String);
  const maxY = Math.max(...bars.map((b) => b.value), 1e-9);
  const slot = (W - PAD.left - PAD.right) / bars.length;
  const body = bars
    .map((b, i) => {
      const h = (b.value / maxY) * (H - PAD.top - PAD.bottom);
      const x = PAD.left + i * slot + slot * 0.1;
      return `<rect x="${x.toFixed(1)}" y="${(H - PAD.bottom - h).toFixed(1)}" width="${(slot * 0.8).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[0]}"><title>${escapeHtml(b.label)}: ${b.value}</title></rect>`;
    })
    .join("");
  const first = bars[0]?.label ?? "";
  const last = bars[bars.length - 1]?.label ?? "";
  return frame(title, axes(0, maxY, [first, last]) + body);
}

/** A grid of counts (rows north to south) as shaded squares: the coverage heatmap picture. */
export function heatGrid(title: string, grid: number[][]): string {
  const rows = grid.length;
  const cols = grid[0]?.length ?? 0;
  const max = Math.max(1, ...grid.flat());
  const size = Math.min((W - 20) / Math.max(cols, 1), (H - 40) / Math.max(rows, 1));
  const cells = grid
    .flatMap((row, r) =>
      row.map((n, c) =>
        n === 0
          ? ""
          : `<rect x="${(10 + c * size).toFixed(1)}" y="${(24 + r * size).toFixed(1)}" width="${size.toFixed(1)}" height="${size.toFixed(1)}" fill="#b30000" fill-opacity="${(0.15 + (0.85 * Math.log1p(n)) / Math.log1p(max)).toFixed(2)}"><title>${n}</title></rect>`,
      ),
    )
    .join("");
  return frame(
    title,
    `<rect x="10" y="24" width="${(cols * size).toFixed(1)}" height="${(rows * size).toFixed(1)}" fill="none" stroke="#999"/>${cells}`,
  );
}
