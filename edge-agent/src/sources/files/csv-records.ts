/** One logical CSV record: its fields, or why its lines could not be joined into one. */
export type CsvRecord =
  | { lineNumber: number; fields: string[] }
  | { lineNumber: number; error: "unterminated_quote" | "row_too_long" };

export interface CsvLimits {
  /** Physical lines one quoted record may span (an SSID is at most 32 bytes: 32 newlines). */
  maxLines: number;
  /** Characters one record may hold before it is refused. */
  maxChars: number;
}

const DEFAULT_LIMITS: CsvLimits = { maxLines: 40, maxChars: 16_384 };

/**
 * Splits a CSV row the RFC 4180 way: a field that starts with `"` is quoted and may hold commas, doubled
 * quotes and newlines. Leniently, a quote inside an unquoted field is literal, and text after a closing
 * quote is kept. `open` says the row ended inside a quoted field (it continues on the next line).
 */
export function scanCsvRow(row: string): { fields: string[]; open: boolean } {
  const fields: string[] = [];
  let field = "";
  let i = 0;
  while (true) {
    if (row[i] === '"') {
      i++;
      let closed = false;
      while (i < row.length) {
        const c = row[i];
        if (c === '"') {
          if (row[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        field += c;
        i++;
      }
      if (!closed) {
        fields.push(field);
        return { fields, open: true };
      }
    }
    const comma = row.indexOf(",", i);
    const end = comma === -1 ? row.length : comma;
    field += row.slice(i, end);
    fields.push(field);
    if (comma === -1) return { fields, open: false };
    field = "";
    i = comma + 1;
  }
}

/**
 * Turns a stream of lines into CSV records, joining lines while a quoted field is open. The join is
 * capped: past the cap the first line is refused and the lines read ahead are parsed again on their own,
 * so one stray quote costs one record, not the rest of the file. Memory stays bounded by the cap.
 */
export async function* csvRecords(
  lines: AsyncIterable<string>,
  limits: CsvLimits = DEFAULT_LIMITS,
): AsyncGenerator<CsvRecord> {
  const iterator = lines[Symbol.asyncIterator]();
  // Lines read ahead by a refused join, to be parsed again; rare, so the common path allocates nothing.
  const replay: Array<{ text: string; lineNumber: number }> = [];
  let read = 0;
  let lineNumber = 0;
  const next = async (): Promise<string | null> => {
    const again = replay.shift();
    if (again) {
      lineNumber = again.lineNumber;
      return again.text;
    }
    const result = await iterator.next();
    if (result.done) return null;
    lineNumber = ++read;
    // readline strips "\n" (and "\r\n" with crlfDelay); a bare "\r" left at the end is a CRLF file's.
    return result.value.endsWith("\r") ? result.value.slice(0, -1) : result.value;
  };

  while (true) {
    const first = await next();
    if (first === null) return;
    const firstLine = lineNumber;
    if (first.length > limits.maxChars) {
      yield { lineNumber: firstLine, error: "row_too_long" };
      continue;
    }
    let scan = scanCsvRow(first);
    if (!scan.open) {
      yield { lineNumber: firstLine, fields: scan.fields };
      continue;
    }
    const parts = [{ text: first, lineNumber: firstLine }];
    let joined = first;
    while (scan.open) {
      const more = await next();
      if (more === null || parts.length >= limits.maxLines || joined.length + more.length > limits.maxChars) {
        if (more !== null) replay.unshift({ text: more, lineNumber });
        replay.unshift(...parts.slice(1));
        yield { lineNumber: firstLine, error: "unterminated_quote" };
        break;
      }
      parts.push({ text: more, lineNumber });
      joined += `\n${more}`;
      scan = scanCsvRow(joined);
    }
    if (!scan.open) yield { lineNumber: firstLine, fields: scan.fields };
  }
}
