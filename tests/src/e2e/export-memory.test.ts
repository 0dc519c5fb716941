import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { openCloudDb } from "@piwardrive/cloud-api";
import { migrateCloud } from "@piwardrive/migrations";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchApi, startBenchApi } from "../bench/bench-api.js";

/*
 * A 1,000,000-row export read slowly through a real `piwardrive-cloud serve` process stays under a memory
 * cap. The server runs with a 96 MB old space so that V8's lazy collection (it grows the heap freely on a
 * machine with GBs free) cannot hide whether the export is held: the WiGLE file is ~100 MB, so holding
 * it, or reading ahead of the client, would run the process out of heap or past the cap.
 */
const ROWS = 1_000_000;
const CAP_MB = 200;
const dir = mkdtempSync(join(tmpdir(), "pw-export-memory-"));
const path = join(dir, "cloud.db");
let api: BenchApi;

beforeAll(async () => {
  const db = await openCloudDb({ db: path });
  await migrateCloud(db);
  // Sightings straight into observations: the export reads nothing else.
  await db.execute({
    sql: `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
      INSERT INTO observations (device_id, run_id, seq, kind, mac, ssid, auth_mode, seen_at, channel,
        frequency_mhz, rssi_dbm, lat, lon, altitude_m, accuracy_m, source)
      SELECT 'dev-1', 'run-1', i, 'wifi', printf('02:00:00:%02x:%02x:%02x', (i >> 16) & 255, (i >> 8) & 255, i & 255),
        printf('net "%d", <x>', i % 5000), 'WPA2', 1780000000000 + i * 100, 6, 2437, -40 - i % 50,
        -33.8 + (i % 1000) * 1e-5, 151.2 + (i / 1000) * 1e-5, 30.5, 5, 'test' FROM s`,
    args: [ROWS],
  });
  db.close();
  api = await startBenchApi(path, { NODE_OPTIONS: "--max-old-space-size=96" });
}, 120_000);
afterAll(async () => {
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("export memory", () => {
  it.each(["identity", "gzip"])(
    `streams ${ROWS} rows of WiGLE CSV (%s) to a slow reader under ${CAP_MB} MB of server RSS`,
    async (encoding) => {
      // fetch decompresses gzip on the way in, so the reader counts the same lines either way.
      const res = await fetch(`${api.url}/v1/export?format=wigle&what=observations`, {
        headers: { authorization: `Bearer ${api.analystKey}`, "accept-encoding": encoding },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-encoding") ?? "identity").toBe(encoding);
      const reader = res.body?.getReader();
      if (reader === undefined) throw new Error("no body");
      let bytes = 0;
      let lines = 0;
      let chunks = 0;
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        bytes += chunk.value.byteLength;
        for (const b of chunk.value) if (b === 10) lines += 1;
        // ~16 MB/s: slower than the server writes, so back-pressure has to stop its reads.
        chunks += 1;
        if (chunks % 4 === 0) await sleep(Math.ceil(chunk.value.byteLength / 16_384));
      }
      expect(lines - 2).toBe(ROWS);
      expect(bytes).toBeGreaterThan(80 * 1024 * 1024);
      expect(api.peakRssMb()).toBeLessThan(CAP_MB);
    },
  );
});
