import { BatchedWriter } from "../store/batched-writer.js";
import type { EdgeStore } from "../store/edge-store.js";
import { SyncClient, type SyncClientOptions } from "../sync/sync-client.js";
import type { CloudPeer } from "./cloud-peer.js";
import { sampleObservation } from "./temp-store.js";

/** Writes `count` sightings in one run (a fresh random runId unless given); returns the run id. */
export async function writeRun(
  store: EdgeStore,
  count: number,
  options: { runId?: string; from?: number } = {},
) {
  const writer = new BatchedWriter(store, { runId: options.runId, maxBatchRows: 500 });
  const from = options.from ?? 0;
  await writer.write(Array.from({ length: count }, (_, i) => sampleObservation(from + i, 40)));
  await writer.close();
  return writer.runId;
}

/** A client for the peer with small batches and millisecond backoff, so fault tests stay quick. */
export function clientFor(store: EdgeStore, peer: CloudPeer, options: Partial<SyncClientOptions> = {}) {
  return new SyncClient(store, {
    cloudUrl: peer.url,
    token: peer.token,
    deviceId: "dev-1",
    maxRows: 50,
    backoff: { baseMs: 20, maxMs: 200 },
    requestTimeoutMs: 5_000,
    ...options,
  });
}

/** (run, seq) of every stored observation, for comparison with CloudPeer.landed. */
export async function storedKeys(store: EdgeStore): Promise<string[]> {
  const rs = await store.execute("SELECT run_id, seq FROM observations ORDER BY seq");
  return rs.rows.map((r) => `${String(r.run_id)}:${Number(r.seq)}`);
}

export async function syncRow(store: EdgeStore) {
  const rs = await store.execute("SELECT * FROM sync_state");
  return rs.rows[0];
}
