import { z } from "zod";
import type { GpsFixRecord } from "../domain/observation-record.js";
import {
  ColumnError,
  coordColumnSchema,
  decodeCoords,
  decodeDeltas,
  deltaIntSchema,
  encodeCoords,
  encodeDeltas,
  lookup,
  StringTable,
  stringRefsSchema,
} from "./column-codec.js";
import {
  type DeltaBatch,
  WIRE_VERSION,
  type WireObservation,
  wireHealthSampleSchema,
} from "./delta-batch.js";
import {
  columnarTransmittersSchema,
  decodeKeyedDeltas,
  decodeTransmitters,
  encodeKeyedDeltas,
  encodeTransmitters,
} from "./transmitter-table.js";

/*
 * The on-wire JSON: one object per batch, one array per field (all of a section's arrays have one entry
 * per row). A sighting's transmitter attributes (MAC, kind, SSID, security, channel, ...) are written once
 * per distinct combination in `tx` and referenced by index (see transmitter-table.ts); RSSI is a delta
 * from that transmitter's previous RSSI. Strings that repeat are indexes into `strings`; seq is
 * delta-coded from firstSeq, times from the previous row, positions in 1e-7 degree deltas (see
 * CoordColumn). Everything else is a plain array; health samples are plain rows.
 * Field values are not checked here: the rebuilt DeltaBatch goes through deltaBatchSchema.
 */

/** Row i of a column whose length sameLength() checked (its value may legitimately be null). */
const at = <T>(column: readonly T[], i: number): T => column[i] as T;

const nullableNumbers = z.array(z.number().nullable());
const nullableInts = z.array(z.number().int().nullable());

export const columnarObservationsSchema = z.object({
  seq: z.array(deltaIntSchema),
  tx: z.array(z.number().int()),
  seenAt: z.array(deltaIntSchema),
  rssiDbm: nullableInts,
  rssiEstimated: z.array(z.union([z.literal(0), z.literal(1)])),
  lat: coordColumnSchema,
  lon: coordColumnSchema,
  altitudeM: nullableNumbers,
  accuracyM: nullableNumbers,
});

export const columnarGpsSchema = z.object({
  fixedAt: z.array(deltaIntSchema),
  lat: coordColumnSchema,
  lon: coordColumnSchema,
  altitudeM: nullableNumbers,
  mode: z.array(z.number().int()),
  accuracyM: nullableNumbers,
  hdop: nullableNumbers,
  speedMps: nullableNumbers,
  trackDeg: nullableNumbers,
  source: stringRefsSchema,
});

export const columnarBatchSchema = z.object({
  v: z.number(),
  deviceId: z.string(),
  runId: z.string(),
  batchSeq: z.number(),
  firstSeq: z.number(),
  lastSeq: z.number(),
  strings: z.array(z.string()),
  tx: columnarTransmittersSchema,
  obs: columnarObservationsSchema,
  gps: columnarGpsSchema,
  health: z.array(wireHealthSampleSchema),
});
export type ColumnarBatch = z.infer<typeof columnarBatchSchema>;

export function toColumnar(batch: DeltaBatch): ColumnarBatch {
  const t = new StringTable();
  const o = batch.observations;
  const g = batch.gpsTrack;
  const { tx, refs, ids } = encodeTransmitters(o, t);
  return {
    v: WIRE_VERSION,
    deviceId: batch.deviceId,
    runId: batch.runId,
    batchSeq: batch.batchSeq,
    firstSeq: batch.firstSeq,
    lastSeq: batch.lastSeq,
    strings: t.strings,
    tx,
    obs: {
      seq: encodeDeltas(
        o.map((r) => r.seq),
        batch.firstSeq,
      ),
      tx: refs,
      seenAt: encodeDeltas(o.map((r) => r.seenAt)),
      rssiDbm: encodeKeyedDeltas(
        o.map((r) => r.rssiDbm),
        ids,
      ),
      rssiEstimated: o.map((r) => (r.rssiEstimated ? 1 : 0)),
      lat: encodeCoords(o.map((r) => r.lat)),
      lon: encodeCoords(o.map((r) => r.lon)),
      altitudeM: o.map((r) => r.altitudeM),
      accuracyM: o.map((r) => r.accuracyM),
    },
    gps: {
      fixedAt: encodeDeltas(g.map((f) => f.fixedAt)),
      lat: encodeCoords(g.map((f) => f.lat)),
      lon: encodeCoords(g.map((f) => f.lon)),
      altitudeM: g.map((f) => f.altitudeM),
      mode: g.map((f) => f.mode),
      accuracyM: g.map((f) => f.accuracyM),
      hdop: g.map((f) => f.hdop),
      speedMps: g.map((f) => f.speedMps),
      trackDeg: g.map((f) => f.trackDeg),
      source: g.map((f) => t.ref(f.source)),
    },
    health: batch.health,
  };
}

/** Rebuilds the logical batch (unvalidated: the caller runs deltaBatchSchema). Throws ColumnError. */
export function fromColumnar(c: ColumnarBatch): unknown {
  const { strings, obs, gps } = c;
  const n = sameLength("obs", obs);
  const { attributes, ids } = decodeTransmitters(c.tx, sameLength("tx", c.tx), obs.tx, strings);
  const rssi = decodeKeyedDeltas(obs.rssiDbm, ids);
  const seq = decodeDeltas(obs.seq, c.firstSeq);
  const seenAt = decodeDeltas(obs.seenAt);
  const lat = decodeCoords(obs.lat, "obs.lat");
  const lon = decodeCoords(obs.lon, "obs.lon");
  const observations: WireObservation[] = [];
  for (let i = 0; i < n; i++) {
    const a = at(attributes, at(ids, i));
    observations.push({
      seq: at(seq, i),
      kind: a.kind,
      mac: a.mac,
      ssid: a.ssid,
      authMode: a.authMode,
      capabilities: a.capabilities,
      seenAt: at(seenAt, i),
      channel: a.channel,
      frequencyMhz: a.frequencyMhz,
      rssiDbm: at(rssi, i),
      rssiEstimated: obs.rssiEstimated[i] === 1,
      lat: at(lat, i),
      lon: at(lon, i),
      altitudeM: at(obs.altitudeM, i),
      accuracyM: at(obs.accuracyM, i),
      rcois: a.rcois,
      mfgrId: a.mfgrId,
      source: a.source,
    });
  }
  const m = sameLength("gps", gps);
  const fixedAt = decodeDeltas(gps.fixedAt);
  const fixLat = decodeCoords(gps.lat, "gps.lat");
  const fixLon = decodeCoords(gps.lon, "gps.lon");
  const gpsTrack: Array<Omit<GpsFixRecord, "lat" | "lon"> & { lat: number | null; lon: number | null }> = [];
  for (let i = 0; i < m; i++) {
    gpsTrack.push({
      fixedAt: at(fixedAt, i),
      lat: at(fixLat, i),
      lon: at(fixLon, i),
      altitudeM: at(gps.altitudeM, i),
      mode: at(gps.mode, i),
      accuracyM: at(gps.accuracyM, i),
      hdop: at(gps.hdop, i),
      speedMps: at(gps.speedMps, i),
      trackDeg: at(gps.trackDeg, i),
      source: lookup(strings, at(gps.source, i), "gps.source"),
    });
  }
  const { v: version, deviceId, runId, batchSeq, firstSeq, lastSeq, health } = c;
  return { version, deviceId, runId, batchSeq, firstSeq, lastSeq, observations, gpsTrack, health };
}

/** Every column of a section must have one entry per row; returns the row count. */
function sameLength(section: string, columns: Record<string, unknown>): number {
  let rows: number | null = null;
  for (const [name, column] of Object.entries(columns)) {
    const length = Array.isArray(column) ? column.length : (column as { e7: unknown[] }).e7.length;
    if (rows === null) rows = length;
    else if (length !== rows)
      throw new ColumnError(`${section}.${name} has ${length} rows, expected ${rows}`);
  }
  return rows ?? 0;
}
