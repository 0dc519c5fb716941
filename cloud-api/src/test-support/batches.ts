import { emptyObservation } from "@piwardrive/shared-schema";
import {
  type DeltaBatch,
  encodeDeltaBatch,
  type WireEncoding,
  type WireObservation,
} from "@piwardrive/shared-schema/wire";
import type { Hono } from "hono";
import type { AppEnv } from "../app-env.js";

export const T0 = 1_750_000_000_000;

/** A Wi-Fi sighting with every optional field empty unless given. */
export function sighting(seq: number, mac: string, fields: Partial<WireObservation> = {}): WireObservation {
  return {
    ...emptyObservation({ kind: "wifi", mac, seenAt: T0 + seq * 1000, source: "test" }),
    seq,
    ...fields,
  };
}

/** A batch around `observations`; firstSeq/lastSeq span their seqs. */
export function makeBatch(
  key: { deviceId: string; runId?: string; batchSeq?: number },
  observations: WireObservation[],
): DeltaBatch {
  const seqs = observations.map((o) => o.seq);
  return {
    version: 1,
    deviceId: key.deviceId,
    runId: key.runId ?? "run-1",
    batchSeq: key.batchSeq ?? 0,
    firstSeq: seqs.length === 0 ? 1 : Math.min(...seqs),
    lastSeq: seqs.length === 0 ? 1 : Math.max(...seqs),
    observations,
    gpsTrack: [],
    health: [],
  };
}

/** `n` plausible sightings over `distinct` transmitters, seqs starting at `from`. */
export function manySightings(n: number, from = 1, distinct = 5): WireObservation[] {
  return Array.from({ length: n }, (_, i) =>
    sighting(from + i, `02:00:00:00:00:${((from + i) % distinct).toString(16).padStart(2, "0")}`, {
      ssid: `net-${(from + i) % distinct}`,
      rssiDbm: -40 - (i % 30),
      lat: -33.8 + i * 1e-5,
      lon: 151.2 + i * 1e-5,
    }),
  );
}

/** Sends an encoded batch through the app like an edge agent would; `headers` override the defaults. */
export async function postBatch(
  app: Hono<AppEnv>,
  token: string | undefined,
  batch: DeltaBatch,
  options: { encoding?: WireEncoding; headers?: Record<string, string>; body?: Uint8Array } = {},
): Promise<Response> {
  const encoded = await encodeDeltaBatch(
    batch,
    options.encoding === undefined ? {} : { encoding: options.encoding },
  );
  const headers: Record<string, string> = {
    "content-type": encoded.contentType,
    "content-encoding": encoded.contentEncoding,
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    ...options.headers,
  };
  return app.request("/v1/ingest", { method: "POST", headers, body: options.body ?? encoded.body });
}
