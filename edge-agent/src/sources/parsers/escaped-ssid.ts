// ignoreBOM keeps a leading U+FEFF: it is part of the name, not a byte-order mark.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * Undoes the byte escapes iw and iwlist (wireless-tools 30) write into SSIDs: `\xHH` for a byte that is
 * not printable ASCII (UTF-8 names arrive as `M\xc3\xbcller`), and for a backslash that would look like
 * an escape (`\x5C`). Every other character stands for itself. Returns the text unchanged when there is
 * no escape or when the bytes are not valid UTF-8, so nothing is lost.
 */
export function unescapeSsidBytes(escaped: string): string {
  // Lone surrogates cannot round-trip through UTF-8: leave such text as it is.
  if (!escaped.includes("\\") || /\p{Cs}/u.test(escaped)) return escaped;
  const bytes: number[] = [];
  let i = 0;
  while (i < escaped.length) {
    const hex = escaped[i] === "\\" && escaped[i + 1] === "x" ? escaped.slice(i + 2, i + 4) : "";
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 4;
    } else {
      const codePoint = escaped.codePointAt(i) ?? 0;
      const char = String.fromCodePoint(codePoint);
      bytes.push(...encoder.encode(char));
      i += char.length;
    }
  }
  try {
    return utf8.decode(new Uint8Array(bytes));
  } catch {
    return escaped;
  }
}
