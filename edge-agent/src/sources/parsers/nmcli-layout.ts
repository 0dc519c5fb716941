import { codePointCells, type PlacedChar, placeChars } from "../files/text-cells.js";

/*
 * nmcli's tabular layout (`_print_do` in NetworkManager's src/nmcli/utils.c): every column is as wide as
 * its widest value or title plus one, counted in terminal cells (text-cells.ts), each value is padded to
 * that width and followed by one separating space (the last one chopped). So columns are two or more
 * spaces apart and start at the same CELL on every line, whatever the characters before them; older
 * nmcli used fixed widths, with the same property. Positions below are cells, never string indices.
 */

/** nmcli has about twenty Wi-Fi fields; a "header" with far more columns is not nmcli output. */
const MAX_COLUMNS = 32;

/** Cells where columns start: the first character of the line, and after every run of two or more spaces. */
export function nmcliColumnStarts(line: string): number[] {
  const starts: number[] = [];
  let spaces = 0;
  let atLineStart = true;
  for (const { char, cell } of placeChars(line)) {
    if (char === " ") {
      spaces++;
      continue;
    }
    if (atLineStart || spaces >= 2) starts.push(cell);
    atLineStart = false;
    spaces = 0;
  }
  return starts.length > 0 && starts.length <= MAX_COLUMNS ? starts : [0];
}

/**
 * Cuts a line at the column starts (cells), each value stripped of the padding spaces around it. When a
 * cut would fall inside a value (a line not padded the way nmcli pads, or a character our width table
 * counts differently), each space-separated run goes to the column whose start is nearest, and two runs
 * claiming one column make the line unreadable: null.
 */
export function cutNmcliRow(line: string, starts: readonly number[]): string[] | null {
  const cuts = cutIndices(line, starts);
  if (!cuts) return nearestRuns(placeChars(line), starts);
  return cuts.map((at, k) => stripPadding(line.slice(k === 0 ? 0 : at, cuts[k + 1] ?? line.length)));
}

const PRINTABLE_ASCII = /^[ -~]*$/;

/**
 * The string index where each column starts, or null when a cut is not clean: the character over the
 * cell just before a start must be a space (or the line ended before it).
 */
function cutIndices(line: string, starts: readonly number[]): number[] | null {
  if (PRINTABLE_ASCII.test(line)) {
    // One cell per character: cells are indices.
    const clean = starts.every((s, k) => k === 0 || s > line.length || line[s - 1] === " ");
    return clean ? starts.map((s) => Math.min(s, line.length)) : null;
  }
  const cuts: number[] = [];
  let index = 0;
  let cell = 0;
  for (const char of line) {
    const cells = codePointCells(char.codePointAt(0) ?? 0);
    // Columns starting here begin with this character (a zero-width one included).
    while (cuts.length < starts.length && (starts[cuts.length] ?? 0) <= cell) cuts.push(index);
    // A start inside or just after this character's cells: the character sits over cell start - 1.
    const next = starts[cuts.length];
    if (char !== " " && next !== undefined && cuts.length > 0 && next <= cell + cells) return null;
    index += char.length;
    cell += cells;
  }
  while (cuts.length < starts.length) cuts.push(line.length);
  return cuts;
}

function nearestRuns(placed: readonly PlacedChar[], starts: readonly number[]): string[] | null {
  const cells = starts.map(() => "");
  const line = placed.map((p) => p.char).join("");
  // Runs of non-spaces joined by single spaces; `index` is in code units, so map it back to a cell.
  const cellAt = new Map<number, number>();
  let offset = 0;
  for (const p of placed) {
    cellAt.set(offset, p.cell);
    offset += p.char.length;
  }
  for (const run of line.matchAll(/[^ ]+(?: [^ ]+)*/g)) {
    const cell = cellAt.get(run.index) ?? 0;
    const distance = (k: number) => Math.abs((starts[k] ?? 0) - cell);
    const nearest = starts.reduce((best, _, k) => (distance(k) < distance(best) ? k : best), 0);
    if (cells[nearest] !== "") return null;
    cells[nearest] = run[0];
  }
  return cells;
}

/** nmcli pads with ASCII spaces only: other white space (an ideographic space, a tab) belongs to the value. */
function stripPadding(value: string): string {
  return value.replace(/^ +| +$/g, "");
}
