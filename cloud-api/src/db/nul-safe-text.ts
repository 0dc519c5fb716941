/*
 * SQLite stores TEXT with NUL bytes whole (bindings and the JSON functions keep them), but the libsql
 * client (npm `libsql` 0.5, Rust) reads a TEXT column as a C string and returns "a" for "a\0b". SSIDs can
 * hold NULs, so every read of one adds `<column>_bytes`: the value as a BLOB when it holds a NUL (NULL
 * otherwise, so ordinary rows cost nothing extra), and exactText() takes the bytes when they are there.
 * The column itself stays TEXT, so filters and comparisons on it are unchanged.
 */

/** `CASE WHEN <column> holds a NUL THEN its bytes END AS <alias>` (alias default: `<column>_bytes`). */
export function nulSafeBytes(column: string, alias = `${column.replace(/^\w+\./, "")}_bytes`): string {
  return `CASE WHEN instr(CAST(${column} AS BLOB), x'00') > 0 THEN CAST(${column} AS BLOB) END AS ${alias}`;
}

const utf8 = new TextDecoder("utf-8");

/** The exact text: decoded from `bytes` when the reader gave them, else `text` as read. */
export function exactText(text: unknown, bytes: unknown): string | null {
  if (bytes instanceof ArrayBuffer) return utf8.decode(new Uint8Array(bytes));
  if (bytes instanceof Uint8Array) return utf8.decode(bytes);
  return text === null || text === undefined ? null : String(text);
}
