import { createHash } from "node:crypto";
import { createReadStream, type ReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";

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

/**
 * How far a reader has got through its file, for a progress bar. Streaming readers attach their stream
 * (its `bytesRead` is polled, so watching costs the reader nothing); whole-file readers report at once.
 */
export class ReadProgress {
  #stream: ReadStream | null = null;
  #bytes = 0;

  watch(stream: ReadStream): void {
    this.#stream = stream;
  }

  set(bytes: number): void {
    this.#bytes = bytes;
  }

  get bytesRead(): number {
    return this.#stream?.bytesRead ?? this.#bytes;
  }
}

/** Lines of a file, streamed (LF or CRLF); memory stays flat however large the file is. */
export async function* streamLines(path: string, progress?: ReadProgress): AsyncGenerator<string> {
  const input = createReadStream(path, { encoding: "utf8", highWaterMark: 64 * 1024 });
  progress?.watch(input);
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    yield* reader;
  } finally {
    reader.close();
    input.destroy();
  }
}

/** UTF-8 chunks of a file, streamed, for the XML parsers. */
export function streamChunks(path: string, progress?: ReadProgress): AsyncIterable<string> {
  const input = createReadStream(path, { encoding: "utf8", highWaterMark: 64 * 1024 });
  progress?.watch(input);
  return input;
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
