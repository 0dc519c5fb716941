import type { Client } from "@libsql/client";
import { type ExportFormat, networkWriter, observationWriter, type WriterOptions } from "./export-formats.js";
import { type ExportSelection, exportPages } from "./export-query.js";

export type ExportRequest = {
  db: Client;
  format: ExportFormat;
  options: WriterOptions;
  pageRows?: number;
  scanRows?: number;
} & ExportSelection;

export interface ExportStream {
  contentType: string;
  extension: string;
  /** The file's bytes: one page of rows per chunk, read from the database only when pulled. */
  body: ReadableStream<Uint8Array>;
}

/** Bytes of one chunk of the body: a page of rows is one or more of them. */
const CHUNK_BYTES = 64 * 1024;

/** Streams an export: head, the rows page by page, tail; memory holds one page whatever the file's size. */
export function exportStream(request: ExportRequest): ExportStream {
  const writer =
    request.what === "observations"
      ? observationWriter(request.format)
      : networkWriter(request.format, request.options);
  const row = writer.row as (r: unknown, first: boolean) => string;
  const pages = exportPages(request.db, request, request.pageRows, request.scanRows);
  let first = true;
  let started = false;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(Buffer.from(writer.head, "utf8"));
          return;
        }
        const next = await pages.next();
        if (next.done) {
          if (writer.tail !== "") controller.enqueue(Buffer.from(writer.tail, "utf8"));
          controller.close();
          return;
        }
        // Each row's text straight into CHUNK_BYTES buffers (UTF-8 takes at most 3 bytes per UTF-16 unit):
        // no page-sized string of 2,000 rows to build, flatten and encode (that was a tenth of the CPU of
        // a WiGLE export, and a large object that outlived young-generation collections).
        let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
        let used = 0;
        for (const r of next.value) {
          const text = row(r, first);
          first = false;
          if (used + text.length * 3 > chunk.length) {
            if (used > 0) controller.enqueue(chunk.subarray(0, used));
            chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, text.length * 3));
            used = 0;
          }
          used += chunk.write(text, used, "utf8");
        }
        if (used > 0) controller.enqueue(chunk.subarray(0, used));
      },
      async cancel() {
        await pages.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
  return { contentType: writer.contentType, extension: writer.extension, body };
}
