import { spawnSync } from "node:child_process";
import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { networkValues, rollUpNetworks, type Tuning } from "@piwardrive/edge-agent/store";
import type { ObservationRecord } from "@piwardrive/shared-schema";
import {
  edgePragmas,
  edgeSchemaStatements,
  INSERT_OBSERVATION_SQL,
  observationParams,
  UPSERT_NETWORK_SQL,
} from "./edge-schema.js";

/*
 * The tuning guide's approach, as the Python PiWardrive writes (its docs/performance_tuning.md,
 * `batch_insert_networks`): BEGIN, sqlite3 `executemany` over a batch, commit. The guide calls that once
 * per scan result, so by default a transaction holds one scan (~40 sightings in the synthetic drive);
 * `batchRows` > 0 groups a fixed number of rows instead (the bench also runs it at the writer's batch size,
 * which isolates executemany from the batching). Same schema, indexes and pragmas as the store. Python
 * has no batch rollup, so `networks` is maintained by one upsert per observation (the writer's ON CONFLICT
 * rules with a count of 1), in the same transaction. Rows are written to a JSONL file beforehand; Python
 * loads and groups them before it starts the clock, and times only executemany + commit.
 */
const GUIDE_SCRIPT = `
import json, sqlite3, sys, time
spec = json.load(open(sys.argv[1]))
db = sqlite3.connect(spec["db"], isolation_level=None)
for pragma in spec["pragmas"]:
    db.execute(pragma).fetchall()
for statement in spec["schema"]:
    db.execute(statement)
db.commit()
batch_rows = spec["batchRows"]
batches, observations, networks, rows, scan = [], [], [], 0, None
with open(spec["rows"]) as f:
    for line in f:
        o, n, s = json.loads(line)
        if observations and (len(observations) == batch_rows if batch_rows > 0 else s != scan):
            batches.append((observations, networks))
            observations, networks = [], []
        scan = s
        observations.append(o)
        networks.append(n)
        rows += 1
if observations:
    batches.append((observations, networks))
def written_bytes():
    try:
        with open("/proc/self/io") as io:
            return next(int(l.split()[1]) for l in io if l.startswith("write_bytes:"))
    except OSError:
        return None
cur = db.cursor()
seconds = 0.0
cpu = 0.0
written_before = written_bytes()
for observations, networks in batches:
    started, started_cpu = time.perf_counter(), time.process_time()
    cur.execute("BEGIN")
    cur.executemany(spec["insert"], observations)
    cur.executemany(spec["upsert"], networks)
    db.commit()
    seconds += time.perf_counter() - started
    cpu += time.process_time() - started_cpu
written_after = written_bytes()
written_mb = None if written_before is None or written_after is None else (written_after - written_before) / 1048576
count, distinct, summed = db.execute(
    "SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM networks), (SELECT sum(observation_count) FROM networks)"
).fetchone()
print(json.dumps({"rows": rows, "transactions": len(batches), "seconds": seconds, "cpuSeconds": cpu, "writtenMb": written_mb, "stored": count, "networks": distinct,
                  "networkCountSum": summed, "sqlite": sqlite3.sqlite_version}))
`;

export interface GuideResult {
  rows: number;
  transactions: number;
  seconds: number;
  cpuSeconds: number;
  /** Written to storage during the timed batches (MiB), or null without /proc. */
  writtenMb: number | null;
  stored: number;
  networks: number;
  networkCountSum: number;
  sqlite: string;
}

export function pythonAvailable(): boolean {
  const probe = spawnSync("python3", ["--version"], { encoding: "utf8" });
  return probe.error === undefined && probe.status === 0;
}

/** Writes one `[observationParams, networkValues, scan]` JSON line per row (not timed); a scan is a second. */
export function writeGuideRows(path: string, runId: string, rows: Iterable<ObservationRecord>): number {
  const fd = openSync(path, "w");
  let count = 0;
  let buffer: string[] = [];
  try {
    for (const o of rows) {
      const single = rollUpNetworks([o])[0]!;
      buffer.push(
        JSON.stringify([observationParams(runId, o), networkValues(single), Math.floor(o.seenAt / 1000)]),
      );
      count += 1;
      if (buffer.length >= 10_000) {
        writeSync(fd, `${buffer.join("\n")}\n`);
        buffer = [];
      }
    }
    if (buffer.length > 0) writeSync(fd, `${buffer.join("\n")}\n`);
  } finally {
    closeSync(fd);
  }
  return count;
}

/** Runs the guide's ingest in python3 on a fresh database in `dir`: one transaction per scan, or per `batchRows`. */
export function runGuide(
  dir: string,
  rowsFile: string,
  tuning: Tuning,
  batchRows: number | "scan",
): GuideResult {
  const name = `guide-${batchRows}`;
  const scriptPath = join(dir, "guide_ingest.py");
  const specPath = join(dir, `${name}.json`);
  writeFileSync(scriptPath, GUIDE_SCRIPT);
  writeFileSync(
    specPath,
    JSON.stringify({
      db: join(dir, `${name}.db`),
      rows: rowsFile,
      pragmas: edgePragmas(tuning),
      schema: edgeSchemaStatements(),
      insert: INSERT_OBSERVATION_SQL,
      upsert: UPSERT_NETWORK_SQL,
      batchRows: batchRows === "scan" ? 0 : batchRows,
    }),
  );
  const run = spawnSync("python3", [scriptPath, specPath], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`python3 guide ingest failed (${run.status}): ${run.stderr}`);
  const last = run.stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as GuideResult;
}
