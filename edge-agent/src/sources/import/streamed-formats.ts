import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { parseGpsdJson } from "../../gps/parse-gpsd-json.js";
import { parseNmea } from "../../gps/parse-nmea.js";
import { type ReadProgress, streamChunks, streamLines } from "../files/file-input.js";
import { parseKismetGpsxml } from "../parsers/parse-kismet-gpsxml.js";
import { parseKismetNetxml } from "../parsers/parse-kismet-netxml.js";
import { parseWigleCsv } from "../parsers/parse-wigle-csv.js";
import type { Format } from "./format-names.js";

/** Every format read the same way: a path in, source events out. */
export type FormatReader = (
  path: string,
  ctx: ParseContext,
  progress?: ReadProgress,
) => AsyncIterable<SourceEvent>;

/**
 * The formats read as a stream, in constant memory whatever the file's size: the ones a drive log of
 * hundreds of megabytes comes in. Kept apart from the registry so the parser thread (parse-worker.ts)
 * loads these parsers and nothing else.
 */
export const STREAMED_READERS = {
  wigle: (path, ctx, progress) => parseWigleCsv(streamLines(path, progress), ctx),
  netxml: (path, ctx, progress) => parseKismetNetxml(streamChunks(path, progress), ctx),
  gpsxml: (path, ctx, progress) => parseKismetGpsxml(streamChunks(path, progress), ctx),
  gpsd: (path, ctx, progress) => parseGpsdJson(streamLines(path, progress), ctx),
  nmea: (path, ctx, progress) => parseNmea(streamLines(path, progress), ctx),
} satisfies Partial<Record<Format, FormatReader>>;

export type StreamedFormat = keyof typeof STREAMED_READERS;

export function isStreamed(format: Format): format is StreamedFormat {
  return Object.hasOwn(STREAMED_READERS, format);
}
