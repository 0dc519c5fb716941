import {
  emptyObservation,
  frequencyToChannel,
  normalizeAuthMode,
  normalizeMac,
} from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { splitLines } from "../files/text-lines.js";
import { nmcliSsid, percentToDbm, readMhz } from "./parse-nmcli-values.js";
import { type RecordOutcome, recordEvents, refuse, seenAtFor } from "./scan-record.js";

/*
 * `nmcli -m tabular -f ... device wifi` pads every column to a fixed width, with translated headers
 * (`FREQUENZ` in German) and any field order. Columns are therefore found by position (header starts)
 * and recognised by the shape of their values, never by header words. Leading and trailing spaces of
 * an SSID cannot be told from padding here; the terse format (parseNmcliTerse) keeps them.
 */

const MAC_SHAPE = /^(?:[0-9A-Fa-fxX*]{2}[:-]){5}[0-9A-Fa-fxX*]{2}$/;
const SECURITY_WORD = "(?:WPA[123]?|WEP|802\\.1X|OWE(?:-TM)?|SAE)";
const SECURITY = new RegExp(`^${SECURITY_WORD}(?: ${SECURITY_WORD})*$`);
/** nmcli has about twenty Wi-Fi fields; a "header" with far more columns is not nmcli output. */
const MAX_COLUMNS = 32;
const SHAPES = {
  bssid: (v: string) => MAC_SHAPE.test(v),
  freq: (v: string) => /^\d{3,5} ?MHz$/.test(v),
  int: (v: string) => /^\d{1,3}$/.test(v),
  security: (v: string) => SECURITY.test(v),
  // IN-USE `*`, BARS `▂▄▆_`, RATE `54 Mbit/s`, MODE: read and ignored.
  ignored: (v: string) => /^[▂▄▆█_*]+$|^\d+ Mbit\/s$|^(?:Infra|Ad-Hoc|Mesh|N\/A)$/.test(v),
} as const;
type Shape = keyof typeof SHAPES | "blank" | "other";
const QUOTED = /^'.*'$/s;

interface Columns {
  bssid?: number;
  ssid?: number;
  freq?: number;
  chan?: number;
  signal?: number;
  security?: number;
  /** Old nmcli quotes every SSID (`'PDANet1'`): quotes are stripped only where all names carry them. */
  ssidQuoted: boolean;
}

export function looksLikeNmcliTabular(head: string): boolean {
  // An upper-case BSSID padded by two or more spaces on a side, as nmcli's fixed-width columns write it.
  return /(?:^|\S {2,})(?:[0-9A-F]{2}:){5}[0-9A-F]{2} {2,}\S|\S {2,}(?:[0-9A-F]{2}:){5}[0-9A-F]{2} *$/m.test(
    head,
  );
}

/** Tabular nmcli output: one record per non-blank line below the header. */
export function* parseNmcliTabular(text: string, ctx: ParseContext): Generator<SourceEvent> {
  const lines = splitLines(text)
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== "");
  const first = lines[0];
  if (!first) return;
  // A first line holding a BSSID is data (the header was cut off); either way it fixes the column starts.
  const headerless = first.line.split(/ {2,}/).some((cell) => SHAPES.bssid(cell.trim()));
  const starts = columnStarts(first.line);
  const rows = (headerless ? lines : lines.slice(1)).map((row) => ({
    ...row,
    cells: cellsOf(row.line, starts),
  }));
  const columns = classify(
    rows.flatMap((row) => (row.cells ? [row.cells] : [])),
    starts.length,
  );
  for (const row of rows) {
    yield* recordEvents(row.number, () => readRow(row.cells, columns, ctx));
  }
}

function readRow(cells: string[] | null, columns: Columns, ctx: ParseContext): RecordOutcome {
  if (!cells) return refuse("columns_misaligned");
  const cell = (k: number | undefined) => (k === undefined ? undefined : cells[k]);
  const bssid = cell(columns.bssid);
  if (bssid === undefined) return refuse("no_mac");
  const mac = normalizeMac(bssid);
  if (!mac.ok) return refuse(mac.reason, bssid);
  const signal = cell(columns.signal);
  const rssiDbm = signal === undefined || signal === "--" ? null : percentToDbm(signal);
  if (signal !== undefined && signal !== "--" && rssiDbm === null) return refuse("signal_invalid", signal);
  const seenAt = seenAtFor(ctx);
  if (!seenAt.ok) return refuse(seenAt.reason);
  const frequencyMhz = readMhz(cell(columns.freq) ?? "");
  const chan = cell(columns.chan);
  const ssid = cell(columns.ssid);
  const security = cell(columns.security);
  return {
    ok: true,
    observation: {
      ...emptyObservation({ kind: "wifi", mac: mac.value, seenAt: seenAt.value, source: "nmcli" }),
      ssid: ssid === undefined ? null : nmcliSsid(columns.ssidQuoted ? unquote(ssid) : ssid),
      authMode: security === undefined ? null : normalizeAuthMode(security),
      channel:
        chan && /^\d+$/.test(chan)
          ? Number(chan)
          : frequencyMhz === null
            ? null
            : frequencyToChannel(frequencyMhz),
      frequencyMhz,
      rssiDbm,
      rssiEstimated: rssiDbm !== null,
    },
  };
}

function unquote(ssid: string): string {
  return QUOTED.test(ssid) ? ssid.slice(1, -1) : ssid;
}

/** A column starts at the line's first character and after every run of two or more spaces. */
function columnStarts(line: string): number[] {
  const starts = [...line.matchAll(/(?:^ *| {2,})(?=[^ ])/g)].map((m) => m.index + m[0].length);
  return starts.length > 0 && starts.length <= MAX_COLUMNS ? starts : [0];
}

/**
 * Cuts a row at the column starts. nmcli pads by display width, so a wide (CJK) or zero-width character
 * shifts the rest of its row: when a cut falls inside a value, each space-separated run goes to the
 * column whose start is nearest, and two runs claiming one column make the row unreadable.
 */
function cellsOf(row: string, starts: readonly number[]): string[] | null {
  const clean = starts.every((s, k) => k === 0 || s >= row.length || row[s - 1] === " ");
  if (clean) return starts.map((s, k) => row.slice(k === 0 ? 0 : s, starts[k + 1] ?? row.length).trim());
  const cells = starts.map(() => "");
  for (const run of row.matchAll(/\S+(?: \S+)*/g)) {
    const distance = (k: number) => Math.abs((starts[k] ?? 0) - run.index);
    const nearest = starts.reduce((best, _, k) => (distance(k) < distance(best) ? k : best), 0);
    if (cells[nearest] !== "") return null;
    cells[nearest] = run[0];
  }
  return cells;
}

function classify(rows: readonly string[][], width: number): Columns {
  const shapes: Shape[] = [];
  for (let k = 0; k < width; k++) {
    const cells = rows.map((r) => r[k] ?? "");
    const values = cells.filter((v) => v !== "" && v !== "--");
    const shape = (Object.keys(SHAPES) as (keyof typeof SHAPES)[]).find(
      (name) => values.length > 0 && values.every(SHAPES[name]),
    );
    shapes.push(shape ?? (cells.every((v) => v === "") ? "blank" : "other"));
  }
  const indexOf = (shape: Shape) => (shapes.indexOf(shape) < 0 ? undefined : shapes.indexOf(shape));
  const others = shapes.flatMap((s, k) => (s === "other" ? [k] : []));
  const quoted = others.find((k) => rows.every((r) => r[k] === "--" || QUOTED.test(r[k] ?? "")));
  const columns: Columns = {
    bssid: indexOf("bssid"),
    freq: indexOf("freq"),
    security: indexOf("security"),
    ssid: quoted ?? others[0],
    ssidQuoted: quoted !== undefined,
  };
  // CHAN and SIGNAL are both small integers: CHAN is the one that agrees with FREQ, else the first (nmcli's order).
  const ints = shapes.flatMap((s, k) => (s === "int" ? [k] : []));
  const freq = columns.freq;
  const agreesWithFreq = (k: number) =>
    freq !== undefined && rows.every((r) => frequencyToChannel(readMhz(r[freq] ?? "") ?? 0) === Number(r[k]));
  columns.chan = ints.find(agreesWithFreq) ?? (ints.length > 1 ? ints[0] : undefined);
  columns.signal = ints.find((k) => k !== columns.chan);
  return columns;
}
