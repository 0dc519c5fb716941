import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { createGzip } from "node:zlib";

/**
 * The stream gzip-compressed, with back-pressure. Not `pipeThrough(new CompressionStream("gzip"))`: on
 * Node 20 its writable side takes chunks without limit, so a fast source (the database) was read to the
 * end into memory whatever the client's speed (a 1,000,000-row WiGLE export held ~100 MB of pages).
 * Node's zlib stream between fromWeb and toWeb counts bytes and stops pulling when its buffers are full.
 */
export function gzipStream(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const compressed = Readable.fromWeb(source as NodeWebReadableStream<Uint8Array>).pipe(createGzip());
  return Readable.toWeb(compressed) as unknown as ReadableStream<Uint8Array>;
}
