/*
 * SSIDs and device names are attacker-controlled: any byte a radio can carry. Each output format gets the
 * escaping its readers need; the data-interchange format (WiGLE CSV) alone keeps them exactly as seen.
 */

// Characters that reorder or hide text in a viewer (bidi embeddings/overrides/isolates, marks, line and
// paragraph separators): a name can make its own row read as something else.
const INVISIBLE_CONTROLS = /[\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;
const LONE_SURROGATE = /\p{Cs}/gu;

/** JSON text of a value with controls, bidi marks and separators as \u escapes (valid RFC 8259 JSON). */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(INVISIBLE_CONTROLS, unicodeEscape);
}

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

// XML 1.0 cannot carry C0 controls other than tab, LF, CR (not even as references), nor U+FFFE/U+FFFF.
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const XML_SPECIAL: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/**
 * Text for XML element content or an attribute. A character XML cannot hold, or one that would reorder the
 * text around it, is shown as `[U+XXXX]` so a reader sees it was there; a lone surrogate becomes U+FFFD.
 */
export function xmlText(text: string): string {
  if (!XML_CHANGES.test(text)) return text; // most names: nothing to replace, one scan instead of four
  return text
    .replace(LONE_SURROGATE, "\uFFFD")
    .replace(XML_FORBIDDEN, visibleCodePoint)
    .replace(INVISIBLE_CONTROLS, visibleCodePoint)
    .replace(/[&<>"']/g, (c) => XML_SPECIAL[c] ?? c);
}

/** Any character spreadsheetCell's replacements would change. */
const VISIBLE_CHANGES = /[\p{Cs}\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/** Any character one of xmlText's replacements would change (the union of their patterns). */
const XML_CHANGES =
  /[\p{Cs}\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069&<>"']/u;

function visibleCodePoint(char: string): string {
  return `[U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}]`;
}

/** RFC 4180: a field holding a comma, quote, CR or LF is quoted, with quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A spreadsheet cell from untrusted text (OWASP CSV injection): a cell that starts with `= + - @`, tab or
 * CR could run as a formula, so it gets a leading apostrophe; bidi controls are made visible; then
 * RFC 4180 quoting. Numbers the export itself writes are not untrusted and stay numbers.
 */
export function spreadsheetCell(text: string): string {
  const visible = VISIBLE_CHANGES.test(text)
    ? text.replace(LONE_SURROGATE, "\uFFFD").replace(INVISIBLE_CONTROLS, visibleCodePoint)
    : text;
  const neutral = /^[=+\-@\t\r]/.test(visible) ? `'${visible}` : visible;
  return csvField(neutral);
}
