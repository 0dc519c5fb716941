import { join } from "node:path";
import { BatchedWriter, EdgeStore } from "@piwardrive/edge-agent";
import { type EncodedBatch, encodeDeltaBatch, WIRE_CONTENT_TYPE } from "@piwardrive/shared-schema/wire";
import { benchTuning } from "./ingest-phases.js";
import { type BenchCloud, edgeSyncOnce } from "./sync-cloud.js";
import { edgeBatches } from "./sync-wire.js";
import { inChunks, syntheticObservations } from "./synthetic-observations.js";

export interface DrainResult {
  rows: number;
  seconds: number;
  obsPerSec: number;
  bytesSent: number;
  batches: number;
}

/** Fills an edge database with `rows` sightings through the BatchedWriter (not timed). */
export async function fillEdge(dir: string, rows: number, seed: number): Promise<string> {
  const path = join(dir, "edge.db");
  const store = await EdgeStore.open({ path, tuning: benchTuning() });
  const writer = new BatchedWriter(store);
  for (const chunk of inChunks(syntheticObservations({ rows, seed }), 5000)) await writer.write(chunk);
  await writer.close();
  store.close();
  return path;
}

/**
 * From starting `piwardrive-edge sync --once` until the cloud says every landed batch is merged and it
 * holds all `rows` observations: upload, land, queue and merge, end to end.
 */
export async function drain(cloud: BenchCloud, edgeDb: string, rows: number): Promise<DrainResult> {
  const device = cloud.addDevice("bench-drain");
  const before = await cloud.stats();
  const t0 = performance.now();
  const sync = await edgeSyncOnce({ db: edgeDb, url: cloud.url, deviceId: device.id, token: device.token });
  if (sync.observationsSent !== rows) throw new Error(`sync sent ${sync.observationsSent} of ${rows}`);
  const { stats, at } = await cloud.waitFor(
    (s) => s.observations - before.observations >= rows && s.batches.merged === s.batches.landed,
    30 * 60_000,
  );
  if (stats.batches.failed > 0) throw new Error(`failed batches: ${JSON.stringify(stats)}`);
  const seconds = (at - t0) / 1000;
  return { rows, seconds, obsPerSec: rows / seconds, bytesSent: sync.bytesSent, batches: sync.batchesSent };
}

export interface IngestResult {
  devices: number;
  observations: number;
  seconds: number;
  obsPerSec: number;
}

/**
 * `devices` registered devices upload pre-encoded batches at once (each device its batches in order, as
 * an agent does); the clock runs from the first request to the last 202. Counts acknowledged sightings.
 */
export async function concurrentIngest(
  cloud: BenchCloud,
  input: { devices: number; rowsPerDevice: number; seed: number },
): Promise<IngestResult> {
  const uploads: Array<{ token: string; batches: Array<{ encoded: EncodedBatch; rows: number }> }> = [];
  for (let d = 0; d < input.devices; d++) {
    const device = cloud.addDevice(`bench-ingest-${d}`);
    const observations = syntheticObservations({ rows: input.rowsPerDevice, seed: input.seed + d + 1 });
    const batches = [];
    for (const batch of edgeBatches(observations, {
      deviceId: device.id,
      runId: `ingest-${d}-${Date.now()}`,
    })) {
      batches.push({ encoded: await encodeDeltaBatch(batch), rows: batch.observations.length });
    }
    uploads.push({ token: device.token, batches });
  }
  let acknowledged = 0;
  const t0 = performance.now();
  await Promise.all(
    uploads.map(async ({ token, batches }) => {
      for (const { encoded, rows } of batches) {
        const res = await fetch(`${cloud.url}/v1/ingest`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": WIRE_CONTENT_TYPE,
            "content-encoding": encoded.contentEncoding,
          },
          body: encoded.body,
        });
        const answer = (await res.json()) as { status?: string };
        if (res.status !== 202 || answer.status !== "accepted") {
          throw new Error(`ingest answered ${res.status} ${JSON.stringify(answer)}`);
        }
        acknowledged += rows;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { devices: input.devices, observations: acknowledged, seconds, obsPerSec: acknowledged / seconds };
}
