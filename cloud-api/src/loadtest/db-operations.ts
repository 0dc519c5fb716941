import type { Client } from "@libsql/client";
import { emptyObservation } from "@piwardrive/shared-schema";
import { decodeDeltaBatch, encodeDeltaBatch, type WireObservation } from "@piwardrive/shared-schema/wire";
import { getNetworkDetail } from "../analyst/network-detail.js";
import { parseNetworkQuery } from "../analyst/network-filters.js";
import { searchNetworks } from "../analyst/network-search.js";
import { parseObservationQuery } from "../analyst/observation-filters.js";
import { searchObservations } from "../analyst/observation-search.js";
import { landBatch } from "../services/land-batch.js";
import { mergeBatch } from "../services/merge-batch.js";
import { getStats } from "../services/stats.js";
import { analystParamsFromDb } from "./analyst-scenario.js";

/*
 * What `loadtest db` runs: the cloud's own hot read queries (through the same functions the analyst routes
 * call, so a plan regression there shows here) and merge-sized writes (a real landing, then the real merge).
 */

/** Parameters drawn once from the database and handed to every thread (plain data: it crosses threads). */
export interface DbLoadParams {
  macs: string[];
  points: { lat: number; lon: number }[];
  ssids: string[];
  since: number;
  until: number;
}

export async function dbLoadParams(db: Client): Promise<DbLoadParams> {
  const analyst = await analystParamsFromDb(db);
  const rs = await db.execute(
    "SELECT ssid FROM networks WHERE ssid IS NOT NULL AND length(ssid) >= 3 ORDER BY random() LIMIT 100",
  );
  return { ...analyst, ssids: rs.rows.map((r) => String(r.ssid)) };
}

export interface ReadOperation {
  name: string;
  weight: number;
  run(db: Client, pick: <T>(items: readonly T[]) => T | undefined): Promise<unknown>;
}

const box = (p: { lat: number; lon: number }, halfDeg: number) =>
  [p.lon - halfDeg, p.lat - halfDeg, p.lon + halfDeg, p.lat + halfDeg].map((v) => v.toFixed(6)).join(",");

/** The read mix, weighted like an analyst session: searches most, then detail pages, then sightings. */
export function readOperations(params: DbLoadParams): ReadOperation[] {
  const ops: ReadOperation[] = [
    { name: "stats", weight: 1, run: (db) => getStats(db) },
    {
      name: "networks_recent",
      weight: 2,
      run: (db) => searchNetworks(db, parseNetworkQuery({ limit: "100" })),
    },
  ];
  if (params.points.length > 0) {
    ops.push(
      {
        name: "networks_bbox_city",
        weight: 3,
        run: (db, pick) => searchNetworks(db, parseNetworkQuery({ bbox: box(pick(params.points)!, 0.05) })),
      },
      {
        name: "networks_bbox_street",
        weight: 3,
        run: (db, pick) => searchNetworks(db, parseNetworkQuery({ bbox: box(pick(params.points)!, 0.002) })),
      },
      {
        name: "observations_bbox",
        weight: 1,
        run: (db, pick) =>
          searchObservations(db, parseObservationQuery({ bbox: box(pick(params.points)!, 0.002) })),
      },
    );
  }
  if (params.ssids.length > 0) {
    ops.push({
      name: "networks_ssid_prefix",
      weight: 2,
      run: (db, pick) =>
        searchNetworks(db, parseNetworkQuery({ ssidPrefix: pick(params.ssids)!.slice(0, 3) })),
    });
  }
  if (params.macs.length > 0) {
    ops.push(
      { name: "network_detail", weight: 3, run: (db, pick) => getNetworkDetail(db, pick(params.macs)!) },
      {
        name: "network_observations",
        weight: 2,
        run: (db, pick) => searchObservations(db, parseObservationQuery({}, pick(params.macs)!)),
      },
    );
  }
  return ops;
}

/** Simulated transmitters of the writers use a locally administered prefix of their own. */
const WRITER_MAC_PREFIX = "0a:db:10";

/**
 * One writer's next batch: `size` sightings of a few hundred transmitters around a point, as the edge
 * would send them, encoded and landed for real, then merged in its own transaction.
 */
export async function landAndMerge(
  db: Client,
  input: {
    deviceId: string;
    runId: string;
    batchSeq: number;
    size: number;
    center: { lat: number; lon: number };
  },
  record: (op: "land" | "merge", ms: number) => void,
): Promise<number> {
  const firstSeq = input.batchSeq * input.size + 1;
  const now = Date.now();
  const observations: WireObservation[] = Array.from({ length: input.size }, (_, i) => {
    const t = (input.batchSeq * input.size + i) % 65_536;
    return {
      ...emptyObservation({
        kind: "wifi",
        mac: `${WRITER_MAC_PREFIX}:${hex(input.batchSeq % 256)}:${hex(t >> 8)}:${hex(t)}`,
        seenAt: now - 60_000 + i,
        source: "loadtest-db",
      }),
      seq: firstSeq + i,
      ssid: `loadtest-db-${t % 50}`,
      rssiDbm: -40 - (i % 50),
      lat: input.center.lat + ((i % 97) - 48) * 1e-5,
      lon: input.center.lon + ((i % 89) - 44) * 1e-5,
    };
  });
  const encoded = await encodeDeltaBatch({
    version: 1,
    deviceId: input.deviceId,
    runId: input.runId,
    batchSeq: input.batchSeq,
    firstSeq,
    lastSeq: firstSeq + input.size - 1,
    observations,
    gpsTrack: [],
    health: [],
  });
  // "land" is what the API does per batch: decode and validate the body, then land it.
  let t0 = performance.now();
  const batch = await decodeDeltaBatch(encoded.body, encoded.contentEncoding);
  const landed = await landBatch(db, {
    batch,
    payload: encoded.body,
    contentEncoding: encoded.contentEncoding,
    receivedAt: now,
  });
  record("land", performance.now() - t0);
  t0 = performance.now();
  const merged = await mergeBatch({ db, key: landed.key });
  record("merge", performance.now() - t0);
  return merged.insertedCount;
}

const hex = (n: number) => (n & 0xff).toString(16).padStart(2, "0");
