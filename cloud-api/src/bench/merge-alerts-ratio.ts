import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { migrateCloud } from "@piwardrive/migrations";
import type { WireObservation } from "@piwardrive/shared-schema/wire";
import { DEFAULT_ALERT_RULES } from "../alerts/alert-rules.js";
import { openCloudDb } from "../db/cloud-db.js";
import { mergePlan } from "../services/merge-statements.js";
import { sighting, T0 } from "../test-support/batches.js";

/*
 * Merge throughput with the network alert rules on and off, same batches, same run:
 * `node cloud-api/dist/bench/merge-alerts-ratio.js [batches] [rows] [networks]`. Every tenth network shares
 * its SSID with others, so the evil-twin rule has candidates to look at, as in a city.
 */
const [batches = 30, rows = 2000, networks = 3000] = process.argv.slice(2).map(Number);

function batch(b: number): WireObservation[] {
  return Array.from({ length: rows }, (_, i) => {
    const n = (b * 997 + i * 7) % networks;
    const mac = `00:00:0c:${(n >> 8).toString(16).padStart(2, "0")}:${(n & 255).toString(16).padStart(2, "0")}:01`;
    return sighting(b * rows + i + 1, mac, {
      ssid: n % 10 === 0 ? "xfinitywifi" : `net-${n}`,
      authMode: "WPA2",
      channel: 6,
      frequencyMhz: 2437,
      seenAt: T0 + (b * rows + i) * 100,
      rssiDbm: -40 - ((i * 13) % 50),
      lat: -33.8 + n * 1e-5 + (i % 5) * 1e-6,
      lon: 151.2 + n * 1e-5,
    });
  });
}

async function run(alerts: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "pw-merge-alerts-"));
  const db = await openCloudDb({ db: join(dir, "cloud.db"), busyTimeoutMs: 5000 });
  try {
    await migrateCloud(db);
    const rules = { ...DEFAULT_ALERT_RULES, enabled: alerts };
    let elapsed = 0;
    for (let b = 0; b < batches; b++) {
      const key = { deviceId: `dev-${b % 3}`, runId: "run-1", batchSeq: b };
      const { statements } = mergePlan(key, batch(b), T0 + b, rules);
      const started = performance.now();
      await db.batch(statements, "write");
      elapsed += performance.now() - started;
    }
    return (batches * rows) / (elapsed / 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const off = [await run(false)];
const on = [await run(true)];
off.push(await run(false));
on.push(await run(true));
const best = (xs: number[]) => Math.max(...xs);
console.log(`nproc=${cpus().length} batches=${batches} rows=${rows} networks=${networks}`);
console.log(`alerts off: ${off.map((x) => x.toFixed(0)).join(", ")} rows/s`);
console.log(`alerts on:  ${on.map((x) => x.toFixed(0)).join(", ")} rows/s`);
console.log(`merge_ratio_with_alerts=${(best(on) / best(off)).toFixed(3)}`);
