import { pathToFileURL } from "node:url";
import { createClient } from "@libsql/client/sqlite3";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { looksLikeGpsdJson } from "../../gps/parse-gpsd-json.js";
import { looksLikeNmea } from "../../gps/parse-nmea.js";
import { readHead, readWholeText } from "../files/file-input.js";
import { looksLikeBluetoothctl, parseBluetoothctl } from "../parsers/parse-bluetoothctl.js";
import { looksLikeBtmgmtFind, parseBtmgmtFind } from "../parsers/parse-btmgmt.js";
import { looksLikeIwScan, parseIwScan } from "../parsers/parse-iw.js";
import { looksLikeIwlistScan, parseIwlistScan } from "../parsers/parse-iwlist.js";
import { looksLikeKismetGpsxml } from "../parsers/parse-kismet-gpsxml.js";
import { looksLikeKismetNetxml } from "../parsers/parse-kismet-netxml.js";
import { looksLikeNmcli, parseNmcli } from "../parsers/parse-nmcli.js";
import { looksLikeWigleCsv } from "../parsers/parse-wigle-csv.js";
import { looksLikeKismetJson, readKismetJson } from "../parsers/read-kismet-json.js";
import { looksLikeKismetLog, readKismetLog } from "../parsers/read-kismet-log.js";
import type { Format } from "./format-names.js";
import { type FormatReader, STREAMED_READERS } from "./streamed-formats.js";

export type { FormatReader } from "./streamed-formats.js";

export interface FormatSpec {
  /** Does the start of a file (its first few KB, as text) look like this format? */
  sniff: (head: string) => boolean;
  read: FormatReader;
  /** Its sightings carry their own position (the GPS tagger leaves them alone). */
  positioned: boolean;
}

/** Scan tools' outputs are small: read whole (capped), then parsed by a synchronous parser. */
const wholeText = (parse: (text: string, ctx: ParseContext) => Iterable<SourceEvent>): FormatReader =>
  async function* (path, ctx, progress) {
    yield* parse(await readWholeText(path, undefined, progress), ctx);
  };

const SQLITE_MAGIC = Buffer.from("SQLite format 3\0", "latin1");

export const FORMAT_SPECS: Readonly<Record<Format, FormatSpec>> = {
  wigle: { sniff: looksLikeWigleCsv, read: STREAMED_READERS.wigle, positioned: true },
  iw: { sniff: looksLikeIwScan, read: wholeText(parseIwScan), positioned: false },
  iwlist: { sniff: looksLikeIwlistScan, read: wholeText(parseIwlistScan), positioned: false },
  nmcli: { sniff: looksLikeNmcli, read: wholeText(parseNmcli), positioned: false },
  netxml: { sniff: looksLikeKismetNetxml, read: STREAMED_READERS.netxml, positioned: true },
  gpsxml: { sniff: looksLikeKismetGpsxml, read: STREAMED_READERS.gpsxml, positioned: true },
  kismet: {
    sniff: (head) => looksLikeKismetLog(head) || looksLikeKismetJson(head),
    // A .kismet SQLite log, or Kismet's device records as JSON.
    read: async function* (path, ctx, progress) {
      const head = await readHead(path, SQLITE_MAGIC.length);
      if (head.equals(SQLITE_MAGIC)) yield* readKismetLog(path, ctx);
      else yield* readKismetJson(path, ctx, progress);
    },
    positioned: true,
  },
  gpsd: { sniff: looksLikeGpsdJson, read: STREAMED_READERS.gpsd, positioned: true },
  nmea: { sniff: looksLikeNmea, read: STREAMED_READERS.nmea, positioned: true },
  btmgmt: { sniff: looksLikeBtmgmtFind, read: wholeText(parseBtmgmtFind), positioned: false },
  bluetoothctl: { sniff: looksLikeBluetoothctl, read: wholeText(parseBluetoothctl), positioned: false },
};

/**
 * The order sniffers are asked in: formats with an unmistakable signature first (a pre-header, an XML root,
 * a JSON class), gpsd before NMEA (gpsd logs echo NMEA sentences), and the loosest pattern last (nmcli's
 * tabular columns match any upper-case MAC padded by spaces).
 */
export const DETECTION_ORDER: readonly Format[] = [
  "wigle",
  "netxml",
  "gpsxml",
  "gpsd",
  "kismet",
  "nmea",
  "iw",
  "iwlist",
  "btmgmt",
  "bluetoothctl",
  "nmcli",
];

/** Bytes of the head the sniffers see: several scan blocks, a pre-header and header, a few NMEA epochs. */
export const SNIFF_BYTES = 16 * 1024;

/**
 * The format of a file, from its content (never its name): a SQLite file is a Kismet log when it has a
 * KISMET table (and nothing else we read); any other file is offered, as text, to the sniffers in
 * DETECTION_ORDER. Null when none claims it. A missing or unreadable file throws.
 */
export async function detectFormat(path: string): Promise<Format | null> {
  const head = await readHead(path, SNIFF_BYTES);
  if (head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    return (await hasKismetTable(path)) ? "kismet" : null;
  }
  const text = head.toString("utf8");
  return DETECTION_ORDER.find((format) => FORMAT_SPECS[format].sniff(text)) ?? null;
}

async function hasKismetTable(path: string): Promise<boolean> {
  const client = createClient({ url: pathToFileURL(path).href, concurrency: 1 });
  try {
    await client.execute("PRAGMA query_only = ON");
    const rs = await client.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'KISMET'");
    return rs.rows.length > 0;
  } catch {
    // Corrupt, encrypted or locked: not something we can read as a Kismet log.
    return false;
  } finally {
    client.close();
  }
}
