import type { ObservationKind } from "@piwardrive/shared-schema";
import { type DeltaBatch, type EncodedBatch, encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import type { CloudHarness } from "./cloud.js";
import type { ObservationRow } from "./compare.js";

const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** An edge row as it travels on the wire. */
function toWire(r: ObservationRow) {
  return {
    seq: Number(r.seq),
    kind: String(r.kind) as ObservationKind,
    mac: String(r.mac),
    ssid: strOrNull(r.ssid),
    authMode: strOrNull(r.auth_mode),
    capabilities: strOrNull(r.capabilities),
    seenAt: Number(r.seen_at),
    channel: numOrNull(r.channel),
    frequencyMhz: numOrNull(r.frequency_mhz),
    rssiDbm: numOrNull(r.rssi_dbm),
    rssiEstimated: Number(r.rssi_estimated) === 1,
    lat: numOrNull(r.lat),
    lon: numOrNull(r.lon),
    altitudeM: numOrNull(r.altitude_m),
    accuracyM: numOrNull(r.accuracy_m),
    rcois: strOrNull(r.rcois),
    mfgrId: numOrNull(r.mfgr_id),
    source: String(r.source),
  };
}

export interface BatchKey {
  runId: string;
  batchSeq: number;
  firstSeq: number;
  lastSeq: number;
}

/** The key and seq range of a batch the cloud landed from `deviceId` (acked plans are pruned on the edge). */
export async function landedBatchKey(
  cloud: CloudHarness,
  deviceId: string,
  batchSeq: number,
): Promise<BatchKey> {
  const rs = await cloud.db.execute({
    sql: `SELECT run_id, batch_seq, first_seq, last_seq FROM landed_batches
      WHERE device_id = ? AND batch_seq = ? ORDER BY received_at LIMIT 1`,
    args: [deviceId, batchSeq],
  });
  const row = rs.rows[0];
  if (row === undefined) throw new Error(`no landed batch ${batchSeq}`);
  return {
    runId: String(row.run_id),
    batchSeq: Number(row.batch_seq),
    firstSeq: Number(row.first_seq),
    lastSeq: Number(row.last_seq),
  };
}

/**
 * Encodes, with encodeDeltaBatch, the batch `key` names from the edge's own rows: the body an agent that
 * never saw the acknowledgement would send again.
 */
export async function encodeEdgeBatch(
  deviceId: string,
  rows: Map<string, ObservationRow>,
  key: BatchKey,
): Promise<{ batch: DeltaBatch; encoded: EncodedBatch }> {
  const observations = [...rows.values()]
    .filter((r) => r.run_id === key.runId && Number(r.seq) >= key.firstSeq && Number(r.seq) <= key.lastSeq)
    .map(toWire);
  const batch: DeltaBatch = { version: 1, deviceId, ...key, observations, gpsTrack: [], health: [] };
  return { batch, encoded: await encodeDeltaBatch(batch) };
}

/** POST /v1/ingest with a raw body and exactly the headers given. */
export async function postIngest(baseUrl: string, headers: Record<string, string>, body: Uint8Array) {
  const res = await fetch(`${baseUrl}/v1/ingest`, { method: "POST", headers, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

export function wireHeaders(encoded: EncodedBatch, token?: string): Record<string, string> {
  return {
    "content-type": encoded.contentType,
    "content-encoding": encoded.contentEncoding,
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
  };
}
