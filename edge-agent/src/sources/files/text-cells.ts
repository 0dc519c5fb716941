import { eastAsianWidthType } from "get-east-asian-width";

/*
 * Terminal cells, counted the way nmcli counts them when it pads its tabular output
 * (nmc_string_screen_width in NetworkManager's src/nmcli/utils.c): per code point, 2 when glib's
 * g_unichar_iswide says wide (East Asian Width W or F), else 0 when g_unichar_iszerowidth says so
 * (non-spacing and enclosing marks, format characters such as ZWJ, U+200B and the variation selectors,
 * Hangul medial vowels and final consonants; not the soft hyphen), else 1. Per code point, not per
 * grapheme: an emoji ZWJ sequence takes the sum of its parts, as nmcli counted it, whatever a terminal
 * draws. (string-width clusters graphemes, so it disagrees with nmcli there.)
 */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
/** Below U+0300 (the first combining mark) every code point takes one cell, the soft hyphen (Cf) included. */
const FIRST_MARK = 0x300;

export function codePointCells(codePoint: number): 0 | 1 | 2 {
  if (codePoint < FIRST_MARK) return 1;
  const type = eastAsianWidthType(codePoint);
  if (type === "wide" || type === "fullwidth") return 2;
  if ((codePoint >= 0x1160 && codePoint < 0x1200) || (codePoint >= 0xd7b0 && codePoint < 0xd800)) return 0;
  return ZERO_WIDTH.test(String.fromCodePoint(codePoint)) ? 0 : 1;
}

/** The cells a string takes on nmcli's count. */
export function textCells(text: string): number {
  let cells = 0;
  for (const char of text) cells += codePointCells(char.codePointAt(0) ?? 0);
  return cells;
}

/** One code point of a line and the cell it starts at. */
export interface PlacedChar {
  char: string;
  cell: number;
  cells: 0 | 1 | 2;
}

/** The code points of a line, each with the cell it starts at. */
export function placeChars(line: string): PlacedChar[] {
  const placed: PlacedChar[] = [];
  let cell = 0;
  for (const char of line) {
    const cells = codePointCells(char.codePointAt(0) ?? 0);
    placed.push({ char, cell, cells });
    cell += cells;
  }
  return placed;
}
