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

/** Streams an export: head, the rows page by page, tail; memory holds one page whatever the file's size. */
export function exportStream(request: ExportRequest): ExportStream {
  const writer =
    request.what === "observations"
      ? observationWriter(request.format)
      : networkWriter(request.format, request.options);
  const row = writer.row as (r: unknown, first: boolean) => string;
  const pages = exportPages(request.db, request, request.pageRows, request.scanRows);
  const encoder = new TextEncoder();
  let first = true;
  let started = false;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(writer.head));
          return;
        }
        const next = await pages.next();
        if (next.done) {
          if (writer.tail !== "") controller.enqueue(encoder.encode(writer.tail));
          controller.close();
          return;
        }
        let text = "";
        for (const r of next.value) {
          text += row(r, first);
          first = false;
        }
        controller.enqueue(encoder.encode(text));
      },
      async cancel() {
        await pages.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
  return { contentType: writer.contentType, extension: writer.extension, body };
}
