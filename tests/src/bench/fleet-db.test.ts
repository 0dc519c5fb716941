import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@libsql/client";
import { openCloudDb } from "@piwardrive/cloud-api";
import { migrateCloud } from "@piwardrive/migrations";
import { afterAll, describe, expect, it } from "vitest";
import { type AnalystDbOptions, buildFleetDb, directMerge, landedMerge } from "./analyst-db.js";
import { cityFor, deviceDrive } from "./fleet-drives.js";

const dir = mkdtempSync(join(tmpdir(), "pw-fleet-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function build(name: string, merge: typeof directMerge, options: AnalystDbOptions): Promise<Client> {
  const db = await openCloudDb({ db: join(dir, `${name}.db`) });
  await migrateCloud(db);
  await buildFleetDb(db, options, merge);
  return db;
}

/** Every row of every table but the landing table (which only the pipeline path fills), in a fixed order. */
async function tables(db: Client): Promise<Record<string, unknown[]>> {
  const names = await db.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' AND name <> 'landed_batches' ORDER BY name",
  );
  const out: Record<string, unknown[]> = {};
  for (const { name } of names.rows) {
    const columns = (await db.execute(`SELECT * FROM "${String(name)}" LIMIT 0`)).columns;
    const order = columns.map((_, i) => String(i + 1)).join(", ");
    out[String(name)] = (await db.execute(`SELECT * FROM "${String(name)}" ORDER BY ${order}`)).rows.map(
      (r) => columns.map((c) => r[c]),
    );
  }
  return out;
}

describe("bench fleet database", () => {
  it("the direct merge path gives exactly the tables that land + mergeBatch give", async () => {
    const options = { observations: 6000, devices: 3, seed: 7, batchRows: 700 };
    const direct = await build("direct", directMerge, options);
    const landed = await build("landed", landedMerge, options);
    const a = await tables(direct);
    const b = await tables(landed);
    expect(Object.keys(a)).toEqual(Object.keys(b));
    expect(a.observations).toHaveLength(6000);
    expect((a.networks ?? []).length).toBeGreaterThan(300);
    expect(
      Number(
        (await landed.execute("SELECT count(*) AS n FROM landed_batches WHERE status = 'merged'")).rows[0]?.n,
      ),
    ).toBeGreaterThan(8);
    // device_status.last_batch_at is the landing time of the device's newest batch: only the pipeline
    // path lands batches, so it is the one column that differs (null on the direct path).
    const lastBatch = (await landed.execute("SELECT * FROM device_status LIMIT 0")).columns.indexOf(
      "last_batch_at",
    );
    expect(lastBatch).toBeGreaterThan(0);
    const withoutLanding = (rows: unknown[] | undefined) =>
      (rows ?? []).map((r) => (r as unknown[]).filter((_, i) => i !== lastBatch));
    expect((a.device_status ?? []).map((r) => (r as unknown[])[lastBatch])).toEqual([null, null, null]);
    expect(withoutLanding(a.device_status)).toEqual(withoutLanding(b.device_status));
    for (const name of Object.keys(a).filter((n) => n !== "device_status")) {
      expect(a[name], name).toEqual(b[name]);
    }
    direct.close();
    landed.close();
  });

  it("drives stay inside the city, in time order, and devices share transmitters", () => {
    const options = { observations: 40_000, devices: 4, seed: 1 };
    const city = cityFor(options);
    const seen = new Map<string, Set<number>>();
    for (let d = 0; d < 4; d++) {
      let last = 0;
      for (const row of deviceDrive(options, d, 10_000)) {
        expect(row.seenAt).toBeGreaterThan(last);
        last = row.seenAt;
        expect(row.lon ?? 0).toBeGreaterThanOrEqual(city.bbox[0] - 0.002);
        expect(row.lat ?? 0).toBeLessThanOrEqual(city.bbox[3] + 0.002);
        const devices = seen.get(row.mac) ?? new Set<number>();
        devices.add(d);
        seen.set(row.mac, devices);
      }
    }
    const shared = [...seen.values()].filter((s) => s.size > 1).length;
    expect(seen.size).toBeGreaterThan(1000);
    expect(shared).toBeGreaterThan(0);
  });
});
