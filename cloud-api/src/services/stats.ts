import type { Client } from "@libsql/client";

export interface FleetStats {
  observations: number;
  networks: number;
  /** Registered devices that are not revoked. */
  devices: number;
  /** `landed` counts every batch ever received; `merged` and `failed` are subsets of it. */
  batches: { landed: number; merged: number; failed: number };
}

/** One read: counts over the fleet tables (count(*) walks the smallest index of each table). */
export async function getStats(db: Client): Promise<FleetStats> {
  const rs = await db.execute(`SELECT
    (SELECT count(*) FROM observations) AS observations,
    (SELECT count(*) FROM networks) AS networks,
    (SELECT count(*) FROM devices WHERE revoked_at IS NULL) AS devices,
    (SELECT count(*) FROM landed_batches) AS landed,
    (SELECT count(*) FROM landed_batches WHERE status = 'merged') AS merged,
    (SELECT count(*) FROM landed_batches WHERE status = 'failed') AS failed`);
  const row = rs.rows[0];
  const n = (name: string) => Number(row?.[name] ?? 0);
  return {
    observations: n("observations"),
    networks: n("networks"),
    devices: n("devices"),
    batches: { landed: n("landed"), merged: n("merged"), failed: n("failed") },
  };
}
