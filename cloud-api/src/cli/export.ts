import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { Command, Option } from "commander";
import { parseExportQuery } from "../exports/export-filters.js";
import { EXPORT_FORMATS } from "../exports/export-formats.js";
import { exportStream } from "../exports/export-stream.js";
import { configFrom, withDb, withDbOption } from "./options.js";

interface ExportFlags {
  db?: string;
  format: string;
  what: string;
  placement?: string;
  bbox?: string;
  since?: string;
  until?: string;
  kind?: string;
  mac?: string;
  device?: string;
  ssid?: string;
  ssidPrefix?: string;
  out?: string;
}

/** `piwardrive-cloud export`: the same files and filters as GET /v1/export, to a file or stdout, for scripts. */
export function exportCommand(): Command {
  return withDbOption(new Command("export"))
    .description("export sightings or networks as WiGLE CSV, spreadsheet CSV, GeoJSON or KML")
    .addOption(new Option("--format <format>", "file format").choices(EXPORT_FORMATS).makeOptionMandatory())
    .addOption(
      new Option("--what <what>", "rows").choices(["observations", "networks"]).default("observations"),
    )
    .addOption(
      new Option("--placement <where>", "networks in KML/GeoJSON").choices(["estimate", "strongest"]),
    )
    .option("--bbox <minLon,minLat,maxLon,maxLat>", "only rows inside this box")
    .option("--since <time>", "ISO 8601 or epoch ms (seen at / last seen)")
    .option("--until <time>", "ISO 8601 or epoch ms, exclusive")
    .option("--kind <kind>", "wifi, ble, bt, gsm, lte, ...")
    .option("--mac <mac>", "one transmitter")
    .option("--device <id>", "seen by this device (observations)")
    .option("--ssid <ssid>", "exact SSID (networks)")
    .option("--ssid-prefix <prefix>", "SSID prefix (networks)")
    .option("--out <file>", "write to this file instead of stdout")
    .action(async (flags: ExportFlags) => {
      const { db: _db, out, ...filters } = flags;
      const query = parseExportQuery(
        Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >,
      );
      await withDb(configFrom(flags), async (db) => {
        const file = exportStream({
          db,
          what: query.what,
          format: query.format,
          selection: query.selection,
          options: { placement: query.placement },
        });
        const source = Readable.fromWeb(file.body as WebReadableStream<Uint8Array>);
        await pipeline(source, out === undefined ? process.stdout : createWriteStream(out));
      });
    });
}
