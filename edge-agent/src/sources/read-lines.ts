import { streamChunks, streamLines } from "./file-input.js";

/**
 * Lines of a file, streamed (LF or CRLF; a lone CR stays in the line for the parser to strip). This is how
 * the importer feeds the line-based parsers, so a 500 MB log never sits in memory at once. A missing file
 * is an I/O error and throws.
 */
export function readFileLines(path: string): AsyncGenerator<string> {
  return streamLines(path);
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
  return streamChunks(path);
}
