import {
  emptyObservation,
  frequencyToChannel,
  normalizeAuthMode,
  normalizeMac,
} from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { splitLines } from "../files/text-lines.js";
import { MAC_SHAPE, type NmcliColumns, nmcliColumns } from "./nmcli-columns.js";
import { cutNmcliRow, nmcliColumnStarts } from "./nmcli-layout.js";
import { nmcliSsid, percentToDbm, readMhz } from "./parse-nmcli-values.js";
import { type RecordOutcome, recordEvents, refuse, seenAtFor } from "./scan-record.js";

/*
 * `nmcli -m tabular -f ... device wifi` pads every column to a fixed width counted in terminal cells
 * (a CJK character takes two, a combining mark none: text-cells.ts, nmcli-layout.ts), in any field order, with headers
 * and values translated under some locales (`FREQUENZ`, `インフラ`). Columns are found by their start
 * cell on the header line and recognised by header word where nmcli's is known, else by the shape of
 * their values (nmcli-columns.ts). Leading and trailing spaces of an SSID cannot be told from padding
 * here; the terse format (parseNmcliTerse) keeps them.
 */

const MAC_RUN = "(?:[0-9A-F]{2}:){5}[0-9A-F]{2}";
/**
 * An upper-case BSSID padded by two or more spaces on a side, as nmcli's fixed-width columns write it
 * (a row may start with spaces: the IN-USE column is blank for every network but the connected one),
 * or a header with a BSSID title followed by a line holding a BSSID (`-f BSSID` alone).
 */
const TABULAR_HEAD = new RegExp(
  `(?:^ *|\\S {2,})${MAC_RUN} {2,}\\S|\\S {2,}${MAC_RUN} *\\r?$|^(?:.*\\S {2,})?BSSID(?: {2,}\\S.*)? *\\r?\\n.*${MAC_RUN}`,
  "m",
);

export function looksLikeNmcliTabular(head: string): boolean {
  return TABULAR_HEAD.test(head);
}

/** Tabular nmcli output: one record per non-blank line below the header. */
export function* parseNmcliTabular(text: string, ctx: ParseContext): Generator<SourceEvent> {
  const lines = splitLines(text)
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== "");
  const first = lines[0];
  if (!first) return;
  const starts = nmcliColumnStarts(first.line);
  const firstCells = cutNmcliRow(first.line, starts) ?? [];
  // A first line holding a BSSID is data (the header was cut off); either way it fixes the column starts.
  const headerless = firstCells.some((cell) => MAC_SHAPE.test(cell));
  const rows = (headerless ? lines : lines.slice(1)).map((row) => ({
    ...row,
    cells: cutNmcliRow(row.line, starts),
  }));
  const columns = nmcliColumns(
    headerless ? [] : firstCells,
    rows.flatMap((row) => (row.cells ? [row.cells] : [])),
    starts.length,
  );
  for (const row of rows) {
    yield* recordEvents(row.number, () => readRow(row.cells, columns, ctx));
  }
}

const QUOTED = /^'.*'$/s;

function readRow(cells: string[] | null, columns: NmcliColumns, ctx: ParseContext): RecordOutcome {
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
      ssid:
        ssid === undefined
          ? null
          : nmcliSsid(columns.ssidQuoted && QUOTED.test(ssid) ? ssid.slice(1, -1) : ssid),
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
