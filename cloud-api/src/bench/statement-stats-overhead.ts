import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@libsql/client";
import { migrateCloud } from "@piwardrive/migrations";
import { openCloudDb } from "../db/cloud-db.js";
import { measureStatements, StatementStats } from "../db/statement-stats.js";

/*
 * What timing every statement costs: the same point lookups and small write transactions through the
 * plain client and through the measured one, interleaved (ABAB...) in one run so both see the same
 * machine. `node cloud-api/dist/bench/statement-stats-overhead.js [rounds] [statementsPerRound]`.
 */
const [rounds = 30, perRound = 2000] = process.argv.slice(2).map(Number);

async function workload(db: Client, round: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < perRound; i += 1) {
    await db.execute({ sql: "SELECT id, role FROM api_keys WHERE key_hash = ?", args: [`h-${i}`] });
    if (i % 50 === 0) {
      await db.batch(
        [
          {
            sql: "INSERT INTO api_keys (id, role, key_hash, created_at) VALUES (?, 'analyst', ?, ?)",
            args: [`k-${round}-${i}`, `h-${round}-${i}`, i],
          },
          { sql: "SELECT count(*) FROM api_keys", args: [] },
        ],
        "write",
      );
    }
  }
  return performance.now() - started;
}

const dir = mkdtempSync(join(tmpdir(), "pw-stmt-bench-"));
try {
  const path = join(dir, "cloud.db");
  const plain = await openCloudDb({ db: path });
  await migrateCloud(plain);
  const stats = new StatementStats({ thresholdMs: 50 });
  // the same connection, with and without the wrapper: the difference is the wrapper alone
  const measured = measureStatements(plain, stats);
  const times = { plain: [] as number[], measured: [] as number[] };
  await workload(plain, -1); // warm-up
  for (let r = 0; r < rounds; r += 1) {
    times.plain.push(await workload(plain, r * 2));
    times.measured.push(await workload(measured, r * 2 + 1));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const calls = perRound + Math.ceil(perRound / 50);
  // the fastest round of each: what the code costs when no neighbour on the shared machine interferes
  const p = Math.min(...times.plain);
  const m = Math.min(...times.measured);
  console.log(
    JSON.stringify({
      machine: `${cpus().length} CPU ${cpus()[0]?.model ?? "?"}`,
      rounds,
      callsPerRound: calls,
      plainMsFastest: Math.round(p * 10) / 10,
      measuredMsFastest: Math.round(m * 10) / 10,
      perCallOverheadUs: Math.round(((m - p) / calls) * 1000 * 100) / 100,
      ratioFastest: Math.round((m / p) * 1000) / 1000,
      /** the median of each round's measured/plain pair */
      ratioMedianOfPairs:
        Math.round(median(times.measured.map((t, i) => t / (times.plain[i] ?? t))) * 1000) / 1000,
      statementsTracked: stats.report().statements,
    }),
  );
  plain.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
