import { describe, expect, it } from "vitest";
import { textCells } from "../sources/files/text-cells.js";
import type { ImportSummary } from "../sources/import/import-tally.js";
import { importTable } from "./import-report.js";

const summary = (path: string, format: ImportSummary["format"], records: number): ImportSummary => ({
  path,
  format,
  records,
  observations: records,
  wifiNetworks: records,
  btDevices: 0,
  cells: 0,
  gpsFixes: 0,
  rejected: 0,
  rejectReasons: {},
  skipped: false,
});

describe("importTable", () => {
  it("aligns its columns in terminal cells when a path holds wide or combining characters", () => {
    const paths = ["/スキャン/東京.txt", "/scans/cafe\u0301.txt", "/s/a.txt"];
    const lines = importTable([
      { path: paths[0] ?? "", summary: summary(paths[0] ?? "", "nmcli", 8) },
      { path: paths[1] ?? "", summary: summary(paths[1] ?? "", "iw", 12) },
      { path: paths[2] ?? "", summary: summary(paths[2] ?? "", "iwlist", 100) },
    ]);
    const [header = "", ...rows] = lines.slice(0, 4);
    // The cell a word starts on, and the cell after it ends, in a line.
    const startOf = (line: string, word: string) => textCells(line.slice(0, line.indexOf(word)));
    const endOf = (line: string, word: string) => startOf(line, word) + textCells(word);
    // Formats are left-aligned under `format`; record counts right-aligned under `records`.
    expect(rows.map((row, i) => startOf(row, ` ${["nmcli", "iw", "iwlist"][i]} `) + 1)).toEqual(
      rows.map(() => startOf(header, "format")),
    );
    expect(rows.map((row, i) => endOf(row, ` ${[8, 12, 100][i]} `) - 1)).toEqual(
      rows.map(() => endOf(header, "records")),
    );
  });
});
