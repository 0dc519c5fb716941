import { closeSync, openSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { WIGLE_COLUMNS } from "@piwardrive/cloud-api";
import { distinctTransmittersFor } from "./synthetic-observations.js";

/*
 * A large WiGLE CSV made from the real rows of the fixtures in ../shared/fixtures/wigle-csv: every real row
 * is a template (its type, SSID, auth string, channel, RSSI, manufacturer id), and the drive varies what
 * differs from one sighting to the next: the transmitter (MAC, derived from the template's OUI), the time
 * (one scan of 40 sightings a second), the position (a car moving along a line) and the RSSI. As on a
 * real drive each transmitter is seen by many scans: the transmitter count follows the ingest bench's
 * synthetic drive (distinctTransmittersFor).
 */

// The 14 columns of WiGLE CSV 1.6, as the cloud export writes them.
const OUTPUT_COLUMNS = WIGLE_COLUMNS;
type Template = Record<(typeof OUTPUT_COLUMNS)[number], string>;

const ROWS_PER_SCAN = 40;

/** Splits one CSV line (quoted fields may hold commas and doubled quotes; the fixtures have no newlines in fields). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === "," && !quoted) {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** Every data row of every WiGLE fixture, by column name; plus the first file's pre-header. */
export function readTemplates(fixturesDir: string): { preHeader: string; templates: Template[] } {
  const dir = join(fixturesDir, "wigle-csv");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".csv"))
    .sort();
  let preHeader = "";
  const templates: Template[] = [];
  for (const file of files) {
    const [pre = "", header = "", ...rows] = readFileSync(join(dir, file), "utf8").split(/\r?\n/);
    preHeader ||= pre;
    const names = splitCsvLine(header);
    for (const row of rows.filter((r) => r !== "")) {
      const fields = splitCsvLine(row);
      const get = (name: string) => fields[names.indexOf(name)] ?? "";
      templates.push(Object.fromEntries(OUTPUT_COLUMNS.map((c) => [c, get(c)])) as Template);
    }
  }
  if (templates.length === 0) throw new Error(`no WiGLE rows under ${dir}`);
  return { preHeader, templates };
}

const quote = (text: string) => `"${text.replaceAll('"', '""')}"`;
const hex2 = (n: number) => (n & 0xff).toString(16).padStart(2, "0");
const wigleTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

/** The row of sighting `i` for transmitter `k`, built on template `t`. */
function driveRow(t: Template, i: number, k: number, startMs: number, round: number): string {
  const scan = Math.floor(i / ROWS_PER_SCAN);
  let mac: string;
  if (t.Type === "WIFI" || t.Type === "BLE" || t.Type === "BT") {
    const suffix = `${hex2(k >> 16)}:${hex2(k >> 8)}:${hex2(k)}`;
    mac = `${t.MAC.slice(0, 9)}${t.Type === "WIFI" ? suffix.toUpperCase() : suffix}`;
  } else {
    mac = `${t.MAC.split("_").slice(0, -1).join("_")}_${k}`;
  }
  const ssid = t.SSID === "" || round === 0 ? t.SSID : `${t.SSID}_${round}`;
  const rssi = Math.max(-99, Math.min(-20, Number(t.RSSI || -80) + ((i * 7) % 11) - 5));
  const lat = -33.39 + (scan % 50_000) * 2e-5 + (k % 97) * 1e-6;
  const lon = 151.2 + (scan % 50_000) * 1.5e-5 + (k % 89) * 1e-6;
  return [
    mac,
    quote(ssid),
    t.AuthMode,
    wigleTime(startMs + scan * 1000),
    t.Channel,
    t.Frequency,
    rssi,
    lat.toFixed(6),
    lon.toFixed(6),
    t.AltitudeMeters || "0.000000",
    t.AccuracyMeters || "5.000000",
    t.RCOIs,
    t.MfgrId,
    t.Type,
  ].join(",");
}

/**
 * Writes a WiGLE 1.6 CSV of `rows` sightings to `path`, dated so the whole drive ends a day before `now`.
 * Returns how many transmitters it uses.
 */
export function writeWigleDrive(path: string, rows: number, fixturesDir: string, now = Date.now()): number {
  const { preHeader, templates } = readTemplates(fixturesDir);
  const distinct = distinctTransmittersFor(rows);
  const startMs = Math.floor((now - 86_400_000 - (rows / ROWS_PER_SCAN) * 1000) / 1000) * 1000;
  const fd = openSync(path, "w");
  try {
    writeSync(fd, `${preHeader}\n${OUTPUT_COLUMNS.join(",")}\n`);
    let block: string[] = [];
    for (let i = 0; i < rows; i++) {
      const scan = Math.floor(i / ROWS_PER_SCAN);
      // The car passes the transmitters in order: each scan sees 40 of them, the next one 36 of the same
      // and 4 new; each transmitter is seen by 10 scans in a row, and again when the road wraps round.
      const k = (scan * 4 + (i % ROWS_PER_SCAN)) % distinct;
      const template = templates[k % templates.length] as Template;
      block.push(driveRow(template, i, k, startMs, Math.floor(k / templates.length)));
      if (block.length === 10_000) {
        writeSync(fd, `${block.join("\n")}\n`);
        block = [];
      }
    }
    if (block.length > 0) writeSync(fd, `${block.join("\n")}\n`);
  } finally {
    closeSync(fd);
  }
  return distinct;
}
