import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { Command, Option } from "commander";
import type { NETWORK_FILTER_PARAMS } from "../analyst/network-filters.js";
import type { OBSERVATION_FILTER_PARAMS } from "../analyst/observation-filters.js";
import { EXPORT_QUERY_PARAMS, parseExportQuery } from "../exports/export-filters.js";
import { EXPORT_FORMATS } from "../exports/export-formats.js";
import { exportStream } from "../exports/export-stream.js";
import { configFrom, withDb, withDbOption } from "./options.js";

type Filter = (typeof NETWORK_FILTER_PARAMS)[number] | (typeof OBSERVATION_FILTER_PARAMS)[number];

/** Every filter of GET /v1/export, as `--kebab-case <value>` (a new filter fails to compile until listed). */
const FILTER_FLAGS: Record<Filter, [value: string, help: string]> = {
  bbox: ["minLon,minLat,maxLon,maxLat", "inside this box (sighting position / network estimate)"],
  since: ["time", "from this time on, ISO 8601 or epoch ms (seen at / last seen)"],
  until: ["time", "up to this time, inclusive, ISO 8601 or epoch ms"],
  kind: ["kinds", "comma-separated: wifi, ble, bluetooth, gsm, lte, ..."],
  device: ["id", "seen by this device"],
  mac: ["mac", "one transmitter (observations)"],
  ssid: ["ssid", "exact SSID (networks)"],
  ssidPrefix: ["prefix", "SSID starts with this (networks)"],
  q: ["text", "SSID contains this, case-insensitive (networks)"],
  auth: ["modes", "comma-separated: open, wep, wpa, wpa2, wpa3, ... (networks)"],
  band: ["bands", "comma-separated GHz: 2.4, 5, 6 (networks)"],
  channel: ["n", "channel number (networks)"],
  vendor: ["text", "vendor name contains this (networks)"],
  minRssi: ["dBm", "best RSSI at least this (networks)"],
  minConfidence: ["0-7", "location confidence at least this (networks)"],
  changedSince: ["time", "changed by merges after this time (networks)"],
};

/** `ssidPrefix` -> `ssid-prefix`. */
export const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * `piwardrive-cloud export`: the same files and filters as GET /v1/export, to a file or stdout, for scripts.
 * The flags are the query parameters in kebab case; they go through the API's parser, so a bad one is
 * refused with the API's message.
 */
export function exportCommand(): Command {
  const command = withDbOption(new Command("export"))
    .description(
      "export sightings or networks as WiGLE CSV, spreadsheet CSV, GeoJSON or KML; --what networks takes the filters of GET /v1/networks, --what observations those of GET /v1/observations",
    )
    .addOption(new Option("--format <format>", "file format").choices(EXPORT_FORMATS).makeOptionMandatory())
    .addOption(
      new Option("--what <what>", "rows (default: observations)").choices(["observations", "networks"]),
    )
    .addOption(
      new Option("--placement <where>", "networks in KML/GeoJSON").choices(["estimate", "strongest"]),
    );
  for (const [name, [value, help]] of Object.entries(FILTER_FLAGS)) {
    command.option(`--${kebab(name)} <${value}>`, help);
  }
  return command
    .option("--out <file>", "write to this file instead of stdout")
    .action(async (flags: Record<string, string | undefined>) => {
      const params = Object.fromEntries(
        EXPORT_QUERY_PARAMS.filter((name) => flags[name] !== undefined).map((name) => [name, flags[name]]),
      );
      const query = parseExportQuery(params);
      await withDb(configFrom(flags), async (db) => {
        const file = exportStream({ db, ...query, options: { placement: query.placement } });
        const source = Readable.fromWeb(file.body as WebReadableStream<Uint8Array>);
        await pipeline(source, flags.out === undefined ? process.stdout : createWriteStream(flags.out));
      });
    });
}
