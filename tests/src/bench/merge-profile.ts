/**
 * Where the cloud's time goes per batch, in one process, for the drain's batches: decoding (what the API
 * does before landing it), landing, and the merge (mergeBatch) with each of its statements timed apart.
 *
 *   node tests/dist/bench/merge-profile.js [--observations 200000] [--seed 1] [--pragmas "PRAGMA ..."]
 *
 * The merge's statements run one by one inside one BEGIN IMMEDIATE ... COMMIT (the same transaction
 * db.batch runs), so each gets its own time; "merge, outside SQL" is mergeBatch's own JavaScript (reading
 * and decoding the landed payload, building the plan). Not a target, a map: see docs/benchmarks.md.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client, InStatement, ResultSet } from "@libsql/client";
import { createDevice, FILE_PRAGMAS, landBatch, mergeBatch, openCloudDb } from "@piwardrive/cloud-api";
import { migrateCloud } from "@piwardrive/migrations";
import { decodeDeltaBatch, encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import Database from "libsql";
import { numberArg, stringArg } from "./args.js";
import { edgeBatches } from "./sync-wire.js";
import { syntheticObservations } from "./synthetic-observations.js";

const argv = process.argv.slice(2);
const observations = Math.floor(numberArg(argv, "observations", 200_000));
const seed = Math.floor(numberArg(argv, "seed", 1));
/** `--pragmas "PRAGMA a=1;PRAGMA b=2"`: tried on the merge's connection on top of the cloud's own. */
const extraPragmas = (stringArg(argv, "pragmas") ?? "").split(";").filter((p) => p.trim() !== "");

const timings = new Map<string, number>();
const add = (label: string, ms: number) => timings.set(label, (timings.get(label) ?? 0) + ms);
const label = (s: InStatement) =>
  (typeof s === "string" ? s : s.sql).replace(/\s+/g, " ").trim().slice(0, 72);

/**
 * The cloud client, with batch() run statement by statement in one transaction on a second connection
 * (the `libsql` engine @libsql/client itself wraps: the client rolls back after every execute(), so its
 * own connection cannot hold a transaction open across calls) and each statement timed.
 */
function profiled(db: Client, path: string): Client {
  const raw = new Database(path);
  for (const pragma of FILE_PRAGMAS) raw.exec(pragma);
  raw.exec(`PRAGMA busy_timeout=5000`);
  for (const pragma of extraPragmas) raw.exec(pragma);
  const run = (s: InStatement) => {
    const sql = typeof s === "string" ? s : s.sql;
    const args = typeof s === "string" ? [] : (s.args ?? []);
    const named = !Array.isArray(args);
    const values = named
      ? Object.fromEntries(Object.entries(args).map(([k, v]) => [k.replace(/^[:@$]/, ""), v]))
      : args;
    const info = raw.prepare(sql).run(values);
    return { rowsAffected: info.changes } as ResultSet;
  };
  const timed = <T>(name: string, f: () => T): T => {
    const t = performance.now();
    try {
      return f();
    } finally {
      add(name, performance.now() - t);
    }
  };
  const batch = async (statements: InStatement[]): Promise<ResultSet[]> => {
    timed("BEGIN", () => raw.exec("BEGIN IMMEDIATE"));
    try {
      const results = statements.map((s) => timed(label(s), () => run(s)));
      timed("COMMIT", () => raw.exec("COMMIT"));
      return results;
    } catch (error) {
      if (raw.inTransaction) raw.exec("ROLLBACK");
      throw error;
    }
  };
  return new Proxy(db, {
    get: (target, prop, receiver) => (prop === "batch" ? batch : Reflect.get(target, prop, receiver)),
  });
}

const dir = mkdtempSync(join(tmpdir(), "pw-merge-profile-"));
const path = join(dir, "cloud.db");
const db = await openCloudDb({ db: path });
try {
  await migrateCloud(db);
  const device = await createDevice(db, { name: "profile" });
  const encoded = [];
  for (const batch of edgeBatches(syntheticObservations({ rows: observations, seed }), {
    deviceId: device.id,
    runId: "profile-run",
  })) {
    encoded.push(await encodeDeltaBatch(batch));
  }
  const measured = profiled(db, path);
  const total = { accept: 0, land: 0, merge: 0, mergeCpu: 0 };
  for (const body of encoded) {
    let t = performance.now();
    const batch = await decodeDeltaBatch(body.body, body.contentEncoding);
    total.accept += performance.now() - t;
    t = performance.now();
    await landBatch(db, {
      batch,
      payload: body.body,
      contentEncoding: body.contentEncoding,
      receivedAt: Date.now(),
    });
    total.land += performance.now() - t;
    const before = [...timings.values()].reduce((a, b) => a + b, 0);
    const cpu = process.cpuUsage();
    t = performance.now();
    await mergeBatch({
      db: measured,
      key: { deviceId: batch.deviceId, runId: batch.runId, batchSeq: batch.batchSeq },
    });
    const elapsed = performance.now() - t;
    const used = process.cpuUsage(cpu);
    total.mergeCpu += (used.user + used.system) / 1000;
    total.merge += elapsed;
    const inSql = [...timings.values()].reduce((a, b) => a + b, 0) - before;
    add("merge, outside SQL (read + decode payload, build plan)", elapsed - inSql);
  }
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`${observations} sightings in ${encoded.length} batches`);
  console.log(`API decode+validate ${seconds(total.accept)}, land ${seconds(total.land)}`);
  console.log(
    `merge ${seconds(total.merge)} (${seconds(total.mergeCpu)} CPU): ` +
      `${Math.round(observations / (total.merge / 1000))} obs/s`,
  );
  for (const [name, ms] of [...timings].sort((a, b) => b[1] - a[1])) {
    if (ms >= 1) console.log(`  ${ms.toFixed(0).padStart(7)} ms  ${name}`);
  }
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
