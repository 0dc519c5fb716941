import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

/**
 * Lines of a file, streamed (LF or CRLF; a lone CR stays in the line for the parser to strip). This is how
 * the importer feeds the line-based parsers, so a 500 MB log never sits in memory at once. A missing file
 * is an I/O error and throws.
 */
export async function* readFileLines(path: string): AsyncGenerator<string> {
  const input = createReadStream(path, { encoding: "utf8" });
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    yield* reader;
  } finally {
    reader.close();
    input.destroy();
  }
}

/** Lines of text already in memory (a REST body, a test case), split the way readline splits a file. */
export async function* linesOfText(text: string): AsyncGenerator<string> {
  const lines = text.split(/\r?\n/);
  // readline yields no empty line after a final newline.
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  yield* lines;
}

/** File chunks for the XML parsers: streamed, decoded as UTF-8 (Kismet writes SSID bytes as they came). */
export function readFileChunks(path: string): AsyncIterable<string> {
  return createReadStream(path, { encoding: "utf8", highWaterMark: 64 * 1024 });
}
