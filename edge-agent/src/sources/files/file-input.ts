import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

/**
 * Largest file the whole-text readers (iw, iwlist, nmcli, btmgmt, bluetoothctl, a Kismet JSON dump) take
 * into memory. Real scan outputs are kilobytes; anything near this is not one, and reading it whole
 * would break the edge agent's memory budget.
 */
export const MAX_WHOLE_FILE_BYTES = 64 * 1024 * 1024;

/** A file the importer cannot take: missing, unreadable, too large, or in no format it knows. */
export class ImportInputError extends Error {
  override name = "ImportInputError";
}

/** How far a reader has got through its file, for a progress bar (polled; setting it costs nothing). */
export class ReadProgress {
  #bytes = 0;

  set(bytes: number): void {
    this.#bytes = bytes;
  }

  get bytesRead(): number {
    return this.#bytes;
  }
}

const CHUNK_BYTES = 64 * 1024;

/**
 * UTF-8 chunks of a file, streamed, for the XML parsers and the line splitter. Every read goes into ONE
 * reused buffer: a read stream allocates a fresh 64 KB buffer per chunk, outside the V8 heap, and V8 lets
 * up to ~64 MB of those dead buffers wait for a collection (measured in the import's parser thread:
 * 40 MB of them at its peak; docs/benchmarks.md). A byte-order mark is kept, as a read stream keeps it.
 */
export async function* streamChunks(path: string, progress?: ReadProgress): AsyncGenerator<string> {
  const file = await open(path, "r");
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let total = 0;
  try {
    while (true) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      progress?.set(total);
      const text = decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
      if (text.length > 0) yield text;
    }
    const tail = decoder.decode();
    if (tail.length > 0) yield tail;
  } finally {
    await file.close();
  }
}

/**
 * Lines of a file, streamed; memory stays flat however large the file is. Split as readline splits with
 * crlfDelay Infinity: at LF or CRLF (a lone CR stays in its line), and no empty line after a final newline.
 */
export async function* streamLines(path: string, progress?: ReadProgress): AsyncGenerator<string> {
  // The start of a line that runs on into the next chunk, in pieces (joined once, so a long line costs
  // linear time, not a re-scan per chunk).
  let head: string[] = [];
  for await (const chunk of streamChunks(path, progress)) {
    let start = 0;
    for (let end = chunk.indexOf("\n"); end !== -1; end = chunk.indexOf("\n", start)) {
      const rest = chunk.slice(start, end);
      const line = head.length === 0 ? rest : head.join("") + rest;
      head = [];
      yield line.endsWith("\r") ? line.slice(0, -1) : line;
      start = end + 1;
    }
    if (start < chunk.length) head.push(chunk.slice(start));
  }
  if (head.length > 0) yield head.join("");
}

/** Lines of text already in memory (a test case, a response body), split as streamLines splits a file. */
export async function* linesOfText(text: string): AsyncGenerator<string> {
  const lines = text.split(/\r?\n/);
  // No empty line after a final newline.
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  yield* lines;
}

/** The whole file as UTF-8 text, refusing files over `limit` bytes before reading any of them. */
export async function readWholeText(
  path: string,
  limit = MAX_WHOLE_FILE_BYTES,
  progress?: ReadProgress,
): Promise<string> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    if (size > limit) {
      throw new ImportInputError(
        `${path} is ${mib(size)}: this format is read whole, and the limit is ${mib(limit)}`,
      );
    }
    const text = await file.readFile({ encoding: "utf8" });
    progress?.set(size);
    return text;
  } finally {
    await file.close();
  }
}

/** The first `bytes` bytes of a file (fewer when it is shorter). */
export async function readHead(path: string, bytes: number): Promise<Buffer> {
  const file = await open(path, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * SHA-256 of a file's content, hex. One 256 KiB buffer is reused for every read: a stream would allocate
 * a fresh buffer per chunk, and hashing a 100 MB file would leave that much garbage to the GC.
 */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(256 * 1024);
  const file = await open(path, "r");
  try {
    while (true) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
  return hash.digest("hex");
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
