import { createClient } from "@libsql/client";
import { topNetworks } from "./cloud-view.js";

/** What the printed calls point at: the most-seen transmitter and a box around the located networks. */
export interface AnalystTargets {
  /** null before anything merged. */
  mac: string | null;
  /** `minLon,minLat,maxLon,maxLat` (5 decimals), null before any network has a location. */
  bbox: string | null;
}

/** Reads the targets from the cloud database: the top MAC and the networks' extent, padded by ~100 m. */
export async function analystTargets(cloudDb: string): Promise<AnalystTargets> {
  const mac = (await topNetworks(cloudDb, 1))[0]?.mac ?? null;
  const client = createClient({ url: `file:${cloudDb}` });
  try {
    const rs = await client.execute(
      "SELECT min(lon) AS w, min(lat) AS s, max(lon) AS e, max(lat) AS n FROM networks WHERE lat IS NOT NULL",
    );
    const r = rs.rows[0];
    if (r === undefined || r.w === null) return { mac, bbox: null };
    const pad = 0.001;
    const edges = [Number(r.w) - pad, Number(r.s) - pad, Number(r.e) + pad, Number(r.n) + pad];
    return { mac, bbox: edges.map((x) => x.toFixed(5)).join(",") };
  } finally {
    client.close();
  }
}

/**
 * Ready-to-paste curl calls of the analyst API with the demo's analyst key: a search, a filtered search,
 * daily stats for the last week, the alerts, and when the data allows, a network's detail (with its alerts)
 * and sightings and the heatmap of the drive's area. Single-quoted so a shell takes them as they are (the
 * key, MAC and bbox are [A-Za-z0-9_:,.-] only; the URL is ours).
 */
export function analystCalls(url: string, key: string, targets: AnalystTargets, now = Date.now()): string[] {
  const curl = (path: string) => `curl -s -H 'Authorization: Bearer ${key}' '${url}${path}'`;
  const weekAgo = new Date(now - 6 * 86_400_000).toISOString().slice(0, 10);
  const calls = [
    curl("/v1/networks?limit=5"),
    curl("/v1/networks?sort=-rssi&minConfidence=1&limit=5"),
    curl(`/v1/stats/daily?since=${weekAgo}`),
    curl("/v1/alerts?limit=5"),
  ];
  if (targets.mac !== null) {
    calls.push(curl(`/v1/networks/${targets.mac}`), curl(`/v1/networks/${targets.mac}/observations?limit=5`));
  }
  if (targets.bbox !== null) calls.push(curl(`/v1/heatmap?bbox=${targets.bbox}`));
  return calls;
}
