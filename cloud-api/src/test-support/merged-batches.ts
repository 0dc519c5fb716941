import { readFileSync } from "node:fs";
import type { Client } from "@libsql/client";
import { normalizeAuthMode } from "@piwardrive/shared-schema";
import { encodeDeltaBatch, type WireObservation } from "@piwardrive/shared-schema/wire";
import { landBatch } from "../services/land-batch.js";
import { mergeBatch } from "../services/merge-batch.js";
import { makeBatch, sighting } from "./batches.js";

/** Lands and merges one batch the way the ingest route and the merge worker do. */
export async function landAndMerge(
  db: Client,
  key: { deviceId: string; runId?: string; batchSeq?: number },
  observations: WireObservation[],
  now = Date.now(),
): Promise<void> {
  const batch = makeBatch(key, observations);
  const encoded = await encodeDeltaBatch(batch);
  await landBatch(db, {
    batch,
    payload: encoded.body,
    contentEncoding: encoded.contentEncoding,
    receivedAt: now,
  });
  await mergeBatch({
    db,
    key: { deviceId: batch.deviceId, runId: batch.runId, batchSeq: batch.batchSeq },
    now: () => now,
  });
}

export const WIGLE_DRIVE = new URL(
  "../../../../shared/fixtures/wigle-csv/wigle-android-2.25_xiaomi-mi6_small_1.4.csv",
  import.meta.url,
);

/**
 * The real WiGLE Android drive in the fixtures as sightings (its columns are plain: no quoted commas),
 * shifted by `shiftMs`; seqs from `firstSeq`. WiGLE writes UTC times.
 */
export function wigleDriveSightings(shiftMs = 0, firstSeq = 1): WireObservation[] {
  const lines = readFileSync(WIGLE_DRIVE, "utf8").trim().split("\n").slice(2);
  return lines.map((line, i) => {
    const [mac, ssid, auth, first, channel, rssi, lat, lon, alt, acc, type] = line.trim().split(",");
    const wifi = type === "WIFI";
    return sighting(firstSeq + i, String(mac), {
      kind: wifi ? "wifi" : "gsm",
      ssid: ssid === "" ? null : (ssid ?? null),
      authMode: wifi ? normalizeAuthMode(auth) : null,
      seenAt: Date.parse(`${String(first).replace(" ", "T")}Z`) + shiftMs,
      channel: Number(channel) || null,
      rssiDbm: Number(rssi),
      lat: Number(lat),
      lon: Number(lon),
      altitudeM: Number(alt),
      accuracyM: Number(acc),
    });
  });
}
