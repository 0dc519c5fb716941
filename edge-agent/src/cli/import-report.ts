import { textCells } from "../sources/files/text-cells.js";
import type { Format } from "../sources/import/format-names.js";
import type { ImportSummary } from "../sources/import/import-tally.js";

/** How one file of an `import` call ended: its summary, or why it could not be imported. */
export type ImportOutcome =
  | { path: string; summary: ImportSummary }
  | { path: string; format: Format | null; error: string };

/** The `--json` entry of a file: the summary's fields in a fixed order, or `{path, format, error}`. */
export function jsonEntry(outcome: ImportOutcome): Record<string, unknown> {
  if ("error" in outcome) return { path: outcome.path, format: outcome.format, error: outcome.error };
  const s = outcome.summary;
  return {
    path: outcome.path,
    format: s.format,
    records: s.records,
    observations: s.observations,
    wifiNetworks: s.wifiNetworks,
    btDevices: s.btDevices,
    cells: s.cells,
    gpsFixes: s.gpsFixes,
    rejected: s.rejected,
    rejectReasons: s.rejectReasons,
    skipped: s.skipped,
  };
}

const COLUMNS = ["file", "format", "records", "stored", "wifi", "bt", "cells", "fixes", "rejected", "status"];

/** The human summary: one row per file, then the reject reasons, then the totals. */
export function importTable(outcomes: readonly ImportOutcome[]): string[] {
  const rows = outcomes.map((o): string[] => {
    if ("error" in o) return [o.path, o.format ?? "-", "-", "-", "-", "-", "-", "-", "-", "FAILED"];
    const s = o.summary;
    const numbers = [s.records, s.observations, s.wifiNetworks, s.btDevices, s.cells, s.gpsFixes, s.rejected];
    return [o.path, s.format, ...numbers.map(String), s.skipped ? "skipped (imported before)" : "imported"];
  });
  // Widths in terminal cells, not code units: a path may hold CJK (two cells each) or combining marks.
  const widths = COLUMNS.map((name, i) => Math.max(name.length, ...rows.map((r) => textCells(r[i] ?? ""))));
  // Text columns left-aligned, counts right-aligned; the last column is not padded.
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        if (i === cells.length - 1) return cell;
        const padding = " ".repeat(Math.max(0, (widths[i] ?? 0) - textCells(cell)));
        return i < 2 ? cell + padding : padding + cell;
      })
      .join("  ");
  const out = [line(COLUMNS), ...rows.map(line)];

  for (const o of outcomes) {
    if ("error" in o) {
      out.push(`${o.path}: ${o.error}`);
      continue;
    }
    const reasons = Object.entries(o.summary.rejectReasons).sort(([, a], [, b]) => b - a);
    if (reasons.length > 0) {
      out.push(`${o.path}: rejected ${reasons.map(([reason, n]) => `${reason} ${n}`).join(", ")}`);
    }
  }

  const done = outcomes.flatMap((o) => ("summary" in o ? [o.summary] : []));
  const stored = done.reduce((sum, s) => sum + s.observations, 0);
  const fixes = done.reduce((sum, s) => sum + s.gpsFixes, 0);
  const skipped = done.filter((s) => s.skipped).length;
  const failed = outcomes.length - done.length;
  out.push(
    `${done.length - skipped} imported, ${skipped} skipped, ${failed} failed: ${stored} sightings and ${fixes} GPS fixes stored`,
  );
  return out;
}
