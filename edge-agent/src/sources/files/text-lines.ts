/**
 * Longest line the scan parsers look at. Real tool lines stay far below it (an iw IE dump is under 1 KB);
 * the cap keeps regex work per line bounded when a parser is handed a huge garbage line.
 */
export const MAX_LINE_CHARS = 4096;

/** Splits tool output into lines (LF, CRLF or CR; the final newline may be missing), each cut to MAX_LINE_CHARS. */
export function splitLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => (line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line));
}

/** A run of lines that starts at a record's header line; `lineNumber` is 1-based, for reject reasons. */
export interface LineBlock {
  lineNumber: number;
  header: string;
  body: string[];
}

/**
 * Groups lines into blocks that each start at a line matching `isHeader`. Lines before the first header
 * (banners such as `Scan completed :`) belong to no block.
 */
export function* lineBlocks(
  lines: readonly string[],
  isHeader: (line: string) => boolean,
): Generator<LineBlock> {
  let current: LineBlock | null = null;
  for (const [index, line] of lines.entries()) {
    if (isHeader(line)) {
      if (current) yield current;
      current = { lineNumber: index + 1, header: line, body: [] };
    } else if (current) {
      current.body.push(line);
    }
  }
  if (current) yield current;
}

/** Removes ANSI colour/cursor sequences that interactive tools (bluetoothctl) write around their output. */
export function stripAnsi(line: string): string {
  return line.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u0001|\u0002/g, "");
}
