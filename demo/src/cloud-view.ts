import { createClient } from "@libsql/client";
import type { FleetStats } from "@piwardrive/cloud-api";

/** GET /v1/stats with the given API key. */
export async function fetchStats(url: string, key: string): Promise<FleetStats> {
  const res = await fetch(`${url}/v1/stats`, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) throw new Error(`GET /v1/stats: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as FleetStats;
}

/** Polls until every landed batch is merged (or failed) and there is at least `minLanded`. */
export async function waitForMerge(
  url: string,
  key: string,
  minLanded: number,
  timeoutMs = 60_000,
): Promise<FleetStats> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await fetchStats(url, key);
    const { landed, merged, failed } = stats.batches;
    if (landed >= minLanded && merged + failed === landed) return stats;
    if (Date.now() > deadline)
      throw new Error(`merge did not finish in ${timeoutMs} ms: ${JSON.stringify(stats)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface NetworkRow {
  mac: string;
  ssid: string | null;
  observations: number;
  lat: number | null;
  lon: number | null;
}

/** The most-seen networks, read from the cloud database (the API has no network search yet). */
export async function topNetworks(cloudDb: string, limit: number): Promise<NetworkRow[]> {
  const client = createClient({ url: `file:${cloudDb}` });
  try {
    const rs = await client.execute({
      sql: `SELECT mac, ssid, observation_count, lat, lon FROM networks
            ORDER BY observation_count DESC, mac LIMIT ?`,
      args: [limit],
    });
    return rs.rows.map((r) => ({
      mac: String(r.mac),
      ssid: r.ssid === null ? null : String(r.ssid),
      observations: Number(r.observation_count),
      lat: r.lat === null ? null : Number(r.lat),
      lon: r.lon === null ? null : Number(r.lon),
    }));
  } finally {
    client.close();
  }
}
