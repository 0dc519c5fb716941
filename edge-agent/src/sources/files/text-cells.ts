import { eastAsianWidthType } from "get-east-asian-width";

/*
 * Terminal cells, counted the way nmcli counts them when it pads its tabular output
 * (nmc_string_screen_width in NetworkManager's clients/cli/utils.c): per code point, 2 for a wide or
 * fullwidth character (glib's g_unichar_iswide: East Asian Width W or F), 0 for a zero-width one
 * (g_unichar_iszerowidth: non-spacing and enclosing marks, format characters such as ZWJ and the
 * variation selectors, Hangul medial and final jamo, but not the soft hyphen), 1 for anything else.
 * Per code point, not per grapheme: an emoji ZWJ sequence counts as the sum of its parts, as nmcli
 * counted it, whatever a terminal draws.
 */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
const SOFT_HYPHEN = 0xad;
/** Below U+0300 (the first combining mark) every code point but the soft hyphen takes one cell. */
const FIRST_MARK = 0x300;

export function codePointCells(codePoint: number): 0 | 1 | 2 {
  if (codePoint < FIRST_MARK) return 1;
  if ((codePoint >= 0x1160 && codePoint < 0x1200) || (codePoint >= 0xd7b0 && codePoint < 0xd800)) return 0;
  const type = eastAsianWidthType(codePoint);
  if (type === "wide" || type === "fullwidth") return 2;
  return codePoint !== SOFT_HYPHEN && ZERO_WIDTH.test(String.fromCodePoint(codePoint)) ? 0 : 1;
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
}

/** The code points of a line, each with the cell it starts at, and the cells of the whole line. */
export function placeChars(line: string): { chars: PlacedChar[]; cells: number } {
  const chars: PlacedChar[] = [];
  let cell = 0;
  for (const char of line) {
    chars.push({ char, cell });
    cell += codePointCells(char.codePointAt(0) ?? 0);
  }
  return { chars, cells: cell };
}
