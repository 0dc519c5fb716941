import { z } from "zod";
import type { ObservationKind } from "../domain/observation-record.js";
import {
  ColumnError,
  lookup,
  lookupNullable,
  nullableStringRefsSchema,
  type StringTable,
  stringRefsSchema,
} from "./column-codec.js";
import type { WireObservation } from "./delta-batch.js";

/*
 * What a transmitter says about itself (MAC, kind, SSID, security, channel, ...) rarely changes between
 * its sightings, and a drive sees each one in many consecutive scans. So every distinct combination of
 * these fields is written once, in the `tx` section (its own columns, one entry per combination, in
 * first-seen order), and a row carries only the index of its combination, delta-coded from the previous
 * row's. A transmitter whose SSID changes mid-batch just gets a second combination: nothing is lost.
 * RSSI is a delta from the same combination's previous non-null RSSI (absolute for the first), which
 * takes the path loss out and leaves mostly the noise.
 */

export type TransmitterAttributes = Pick<
  WireObservation,
  | "kind"
  | "mac"
  | "ssid"
  | "authMode"
  | "capabilities"
  | "channel"
  | "frequencyMhz"
  | "rcois"
  | "mfgrId"
  | "source"
>;

const nullableInts = z.array(z.number().int().nullable());

export const columnarTransmittersSchema = z.object({
  kind: stringRefsSchema,
  mac: stringRefsSchema,
  ssid: nullableStringRefsSchema,
  authMode: nullableStringRefsSchema,
  capabilities: nullableStringRefsSchema,
  channel: nullableInts,
  frequencyMhz: nullableInts,
  rcois: nullableStringRefsSchema,
  mfgrId: nullableInts,
  source: stringRefsSchema,
});
export type ColumnarTransmitters = z.infer<typeof columnarTransmittersSchema>;

const sameTransmitterAttributes = (a: TransmitterAttributes, b: TransmitterAttributes) =>
  a.kind === b.kind &&
  a.ssid === b.ssid &&
  a.authMode === b.authMode &&
  a.capabilities === b.capabilities &&
  a.channel === b.channel &&
  a.frequencyMhz === b.frequencyMhz &&
  a.rcois === b.rcois &&
  a.mfgrId === b.mfgrId &&
  a.source === b.source;

/** The distinct attribute combinations of `rows` (first-seen order) and each row's index into them. */
export function groupTransmitters<R extends TransmitterAttributes>(
  rows: readonly R[],
): { distinct: R[]; ids: number[] } {
  const distinct: R[] = [];
  const byMac = new Map<string, number[]>();
  const ids = rows.map((r) => {
    const candidates = byMac.get(r.mac);
    const found = candidates?.find((i) => sameTransmitterAttributes(distinct[i] as R, r));
    if (found !== undefined) return found;
    const id = distinct.length;
    distinct.push(r);
    if (candidates) candidates.push(id);
    else byMac.set(r.mac, [id]);
    return id;
  });
  return { distinct, ids };
}

/** The `tx` columns and, per row, the delta-coded index of the row's combination. */
export function encodeTransmitters(
  rows: readonly TransmitterAttributes[],
  t: StringTable,
): { tx: ColumnarTransmitters; refs: number[]; ids: number[] } {
  const { distinct, ids } = groupTransmitters(rows);
  let prev = 0;
  const refs = ids.map((id) => {
    const d = id - prev;
    prev = id;
    return d;
  });
  const tx: ColumnarTransmitters = {
    kind: distinct.map((a) => t.ref(a.kind)),
    mac: distinct.map((a) => t.ref(a.mac)),
    ssid: distinct.map((a) => t.refNullable(a.ssid)),
    authMode: distinct.map((a) => t.refNullable(a.authMode)),
    capabilities: distinct.map((a) => t.refNullable(a.capabilities)),
    channel: distinct.map((a) => a.channel),
    frequencyMhz: distinct.map((a) => a.frequencyMhz),
    rcois: distinct.map((a) => t.refNullable(a.rcois)),
    mfgrId: distinct.map((a) => a.mfgrId),
    source: distinct.map((a) => t.ref(a.source)),
  };
  return { tx, refs, ids };
}

/** Rebuilds the attribute combinations (`count` of them) and each row's index into them. */
export function decodeTransmitters(
  tx: ColumnarTransmitters,
  count: number,
  refs: readonly number[],
  strings: readonly string[],
): { attributes: TransmitterAttributes[]; ids: number[] } {
  const at = <T>(column: readonly T[], i: number): T => column[i] as T;
  const attributes: TransmitterAttributes[] = [];
  for (let i = 0; i < count; i++) {
    attributes.push({
      kind: lookup(strings, at(tx.kind, i), "tx.kind") as ObservationKind,
      mac: lookup(strings, at(tx.mac, i), "tx.mac"),
      ssid: lookupNullable(strings, at(tx.ssid, i), "tx.ssid"),
      authMode: lookupNullable(strings, at(tx.authMode, i), "tx.authMode"),
      capabilities: lookupNullable(strings, at(tx.capabilities, i), "tx.capabilities"),
      channel: at(tx.channel, i),
      frequencyMhz: at(tx.frequencyMhz, i),
      rcois: lookupNullable(strings, at(tx.rcois, i), "tx.rcois"),
      mfgrId: at(tx.mfgrId, i),
      source: lookup(strings, at(tx.source, i), "tx.source"),
    });
  }
  let id = 0;
  const ids = refs.map((d, row) => {
    id += d;
    if (!Number.isSafeInteger(id) || id < 0 || id >= count) {
      throw new ColumnError(`obs.tx: row ${row} names transmitter ${id}, the batch has ${count}`);
    }
    return id;
  });
  return { attributes, ids };
}

/** Keys are small dense integers (transmitter ids). Each non-null value as a delta from the previous non-null value with the same key (the first: absolute). */
export function encodeKeyedDeltas(values: ReadonlyArray<number | null>, keys: readonly number[]) {
  const last: Array<number | undefined> = [];
  return values.map((v, row) => {
    if (v === null) return null;
    const key = keys[row] as number;
    const prev = last[key];
    last[key] = v;
    return prev === undefined ? v : v - prev;
  });
}

export function decodeKeyedDeltas(values: ReadonlyArray<number | null>, keys: readonly number[]) {
  const last: Array<number | undefined> = [];
  return values.map((d, row) => {
    if (d === null) return null;
    const key = keys[row] as number;
    const prev = last[key];
    const v = prev === undefined ? d : prev + d;
    last[key] = v;
    return v;
  });
}
