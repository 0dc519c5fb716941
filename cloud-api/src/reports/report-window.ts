import { InvalidArgumentError } from "../errors.js";

export const REPORT_KINDS = ["performance", "fleet", "coverage"] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface ReportWindow {
  since: number;
  until: number;
}

export const DEFAULT_WINDOW_MS = 7 * 86_400_000;

/** ISO 8601 or epoch ms; default: the last 7 days. An inverted or unreadable window is refused. */
export function parseWindow(
  since: string | undefined,
  until: string | undefined,
  now = Date.now(),
): ReportWindow {
  const read = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined || value === "") return fallback;
    const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
    if (!Number.isFinite(ms))
      throw new InvalidArgumentError(`${name}: not an ISO 8601 time or epoch ms: ${value}`);
    return ms;
  };
  const u = read("until", until, now);
  const s = read("since", since, u - DEFAULT_WINDOW_MS);
  if (s >= u) throw new InvalidArgumentError("since must be before until");
  return { since: s, until: u };
}

export function isReportKind(value: string): value is ReportKind {
  return (REPORT_KINDS as readonly string[]).includes(value);
}

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const isoTime = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** avg / min / max / current / p95 of a figure's values (in time order). */
export function figureStats(values: number[]) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 100) / 100;
  return {
    avg: r(values.reduce((s, v) => s + v, 0) / values.length),
    min: r(sorted[0] ?? 0),
    max: r(sorted[sorted.length - 1] ?? 0),
    p95: r(sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? 0),
    current: r(values[values.length - 1] ?? 0),
    samples: values.length,
  };
}
