import { describe, expect, it } from "vitest";
import { codePointCells, placeChars, textCells } from "./text-cells.js";

const cp = (char: string) => char.codePointAt(0) ?? -1;

describe("codePointCells counts as glib does (g_unichar_iswide, then g_unichar_iszerowidth)", () => {
  it("gives East Asian Wide and Fullwidth characters two cells", () => {
    for (const char of ["日", "イ", "ア", "红", "한", "Ａ", "　", "😀", "🚀", "👩", "🏽"]) {
      expect([char, codePointCells(cp(char))]).toEqual([char, 2]);
    }
  });

  it("gives marks Mn/Me, format characters and medial/final Hangul jamo none", () => {
    const zero = [0x0301, 0x20dd, 0x200b, 0x200d, 0xfe0f, 0x2060, 0xfeff, 0x1160, 0x11a8, 0xd7b0, 0xd7fb];
    for (const codePoint of zero) expect([codePoint, codePointCells(codePoint)]).toEqual([codePoint, 0]);
  });

  it("gives everything else one cell: ASCII, Latin, the soft hyphen, spacing marks, ambiguous, narrow", () => {
    // U+00AD is Cf but glib counts it; U+0903 is a spacing mark (Mc); ① and Greek are ambiguous (narrow).
    for (const codePoint of [0x41, 0xe9, 0xad, 0x0903, 0x2460, 0x3b1, 0xff61, 0x1f1e6, 0xe000]) {
      expect([codePoint, codePointCells(codePoint)]).toEqual([codePoint, 1]);
    }
  });

  it("takes wide before zero-width, as glib does: a wide combining mark is two cells", () => {
    // U+3099 (combining kana voiced sound mark) is Mn and East Asian Wide.
    expect(codePointCells(0x3099)).toBe(2);
  });
});

describe("textCells and placeChars", () => {
  it("count per code point, without grapheme clustering", () => {
    expect(textCells("インフラ")).toBe(8);
    expect(textCells("해당 없음")).toBe(9);
    expect(textCells("e\u0301")).toBe(1);
    // man + ZWJ + woman + ZWJ + girl: the sum of its parts, as nmcli pads it (a terminal may draw 2).
    expect(textCells("👨\u200d👩\u200d👧")).toBe(6);
    // ❤️ is U+2764 (neutral, one cell) + VS16 (none).
    expect(textCells("❤\ufe0f")).toBe(1);
    // A decomposed Hangul syllable: leading consonant (wide), vowel and final consonant (none).
    expect(textCells("\u1112\u1161\u11ab")).toBe(2);
  });

  it("place every code point at the cell it starts on", () => {
    expect(placeChars("a日\u0301b")).toEqual([
      { char: "a", cell: 0, cells: 1 },
      { char: "日", cell: 1, cells: 2 },
      { char: "\u0301", cell: 3, cells: 0 },
      { char: "b", cell: 3, cells: 1 },
    ]);
  });
});
