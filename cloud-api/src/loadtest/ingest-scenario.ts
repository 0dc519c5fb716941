import type { Client } from "@libsql/client";
import { emptyObservation } from "@piwardrive/shared-schema";
import { encodeDeltaBatch, type WireObservation } from "@piwardrive/shared-schema/wire";
import { createDevice } from "../services/devices.js";
import { forgetCellsAndDays } from "../services/forget-cells-and-days.js";
import type { PlannedRequest, Scenario } from "./scenario.js";

/** Batches encoded ahead of the run at most; a longer run sends them again (answered as duplicates). */
const MAX_PREPARED = 20_000;
const OBSERVATIONS_PER_BATCH = 50;
/** Simulated transmitters use a locally administered prefix of their own, so clean-up can find them. */
const MAC_PREFIX = "0a:1d:7e";

/**
 * N simulated devices, registered in the target's database for the run and removed after (with their
 * landed batches, sightings and the networks only they saw), posting real wire batches to POST /v1/ingest.
 */
export function ingestScenario(db: Client, options: { devices: number; runTag: string }): Scenario {
  const devices: { id: string; token: string }[] = [];
  const prepared: PlannedRequest[] = [];
  let cursor = 0;
  return {
    name: "ingest",
    async prepare(expected) {
      for (let i = 0; i < options.devices; i += 1) {
        const d = await createDevice(db, { name: `loadtest-${options.runTag}-${i}` });
        devices.push({ id: d.id, token: d.token });
      }
      const count = Math.max(1, Math.min(MAX_PREPARED, expected));
      const now = Date.now();
      for (let b = 0; b < count; b += 1) {
        const device = devices[b % devices.length]!;
        const batchSeq = Math.floor(b / devices.length);
        const firstSeq = batchSeq * OBSERVATIONS_PER_BATCH + 1;
        const observations: WireObservation[] = Array.from({ length: OBSERVATIONS_PER_BATCH }, (_, i) => ({
          ...emptyObservation({
            kind: "wifi",
            mac: `${MAC_PREFIX}:${hex((b * 7 + i) >> 8)}:${hex(b * 7 + i)}:${hex(b % devices.length)}`,
            seenAt: now - 60_000 + i * 100,
            source: "loadtest",
          }),
          seq: firstSeq + i,
          ssid: `loadtest-${i % 10}`,
          rssiDbm: -40 - (i % 40),
          lat: 51.5 + ((b + i) % 100) * 1e-4,
          lon: -0.12 + ((b * 3 + i) % 100) * 1e-4,
        }));
        const encoded = await encodeDeltaBatch({
          version: 1,
          deviceId: device.id,
          runId: `loadtest-${options.runTag}`,
          batchSeq,
          firstSeq,
          lastSeq: firstSeq + OBSERVATIONS_PER_BATCH - 1,
          observations,
          gpsTrack: [],
          health: [],
        });
        prepared.push({
          method: "POST",
          path: "/v1/ingest",
          route: "POST /v1/ingest",
          headers: {
            authorization: `Bearer ${device.token}`,
            "content-type": encoded.contentType,
            "content-encoding": encoded.contentEncoding,
          },
          body: encoded.body,
        });
      }
    },
    next() {
      const request = prepared[cursor % prepared.length]!;
      cursor += 1;
      return request;
    },
    async close() {
      if (devices.length === 0) return;
      await removeDevices(
        db,
        devices.map((d) => d.id),
      );
    },
  };
}

function hex(n: number): string {
  return (n & 0xff).toString(16).padStart(2, "0");
}

/**
 * Waits (up to 30 s) for the merge of what the devices sent, then deletes every trace of them. Their
 * batches can raise alerts: the simulated MACs are locally administered and carry no auth mode, so the
 * change, downgrade and evil-twin rules pass them by, but a watchlist entry (an OUI, `loadtest*`) can hit
 * them. Those alerts, and the webhook deliveries they queued, go too (by the batch that raised them); a
 * delivery the webhook worker already sent cannot be called back, one still queued finds no row and is
 * skipped.
 */
async function removeDevices(db: Client, ids: string[]): Promise<void> {
  const list = ids.map(() => "?").join(",");
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const rs = await db.execute({
      sql: `SELECT count(*) AS n FROM landed_batches WHERE status = 'landed' AND device_id IN (${list})`,
      args: ids,
    });
    if (Number(rs.rows[0]?.n ?? 0) === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // The cells' and days' counts first: they are read from the sightings and networks deleted below.
  const counts = await forgetCellsAndDays(db, { deviceIds: ids, macPrefix: MAC_PREFIX });
  await db.batch(
    [
      {
        sql: `DELETE FROM webhook_deliveries WHERE alert_id IN (SELECT id FROM alerts WHERE device_id IN (${list}))`,
        args: ids,
      },
      { sql: `DELETE FROM alerts WHERE device_id IN (${list})`, args: ids },
      ...counts,
      { sql: `DELETE FROM observations WHERE device_id IN (${list})`, args: ids },
      { sql: `DELETE FROM landed_batches WHERE device_id IN (${list})`, args: ids },
      { sql: `DELETE FROM network_devices WHERE device_id IN (${list})`, args: ids },
      { sql: `DELETE FROM networks WHERE mac LIKE '${MAC_PREFIX}:%'`, args: [] },
      ...["network_history", "network_days", "ssid_history"].map((table) => ({
        sql: `DELETE FROM ${table} WHERE mac LIKE '${MAC_PREFIX}:%'`,
        args: [],
      })),
      { sql: `DELETE FROM devices WHERE id IN (${list})`, args: ids },
    ],
    "write",
  );
}
