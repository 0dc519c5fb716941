import { spawn } from "node:child_process";
import { once } from "node:events";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { createClient } from "@libsql/client";
import autocannon from "autocannon";
import { DEFAULT_BATCH_ROWS, ensureAnalystDb } from "./analyst-db.js";
import { analystQueries } from "./analyst-queries.js";
import { numberArg, stringArg } from "./args.js";
import { type BenchApi, processCpuSeconds, ratioFrom, startBenchApi } from "./bench-api.js";
import { FLEET_START_MS } from "./fleet-drives.js";

/*
 * npm run bench:analyst: the analyst API on the fleet database of analyst-db.ts (built once, cached under
 * --cache-dir), `piwardrive-cloud serve` as a child process, autocannon at 16 connections per endpoint.
 * "cold": every request a different query (no cache entry can answer it; the OS page cache is warm);
 * "cached": a hot set of 16 queries, asked once before, answered from the API's LRU. In the same run: a
 * Hono hello-world on the same machine, and the merge's cost of its aggregates (merge-estimates-ratio.js).
 * Flags: --observations (10,000,000), --devices (20), --seed (1), --batch-rows, --duration-s per phase (6),
 * --connections (16), --cache-dir (data/bench at the repo root).
 */
const argv = process.argv.slice(2);
const fleet = {
  observations: numberArg(argv, "observations", 10_000_000),
  devices: numberArg(argv, "devices", 20),
  seed: numberArg(argv, "seed", 1),
  batchRows: numberArg(argv, "batch-rows", DEFAULT_BATCH_ROWS),
};
const durationS = numberArg(argv, "duration-s", 6);
const connections = numberArg(argv, "connections", 16);
const REPO = resolve(import.meta.dirname, "../../..");
const cacheDir = stringArg(argv, "cache-dir") ?? resolve(REPO, "data/bench");
const log = (line: string) => console.log(line);

log(`nproc=${cpus().length} ${cpus()[0]?.model ?? ""} node ${process.version} ${new Date().toISOString()}`);
const built = await ensureAnalystDb(fleet, cacheDir, log);
log(
  `database ${built.path}: ${built.sizeMb.toFixed(0)} MB${built.builtS === null ? " (cached)" : `, built in ${built.builtS.toFixed(0)} s`}`,
);

// What to ask about: known MACs for detail, the city for boxes (a seeded PRNG keeps runs comparable).
const db = createClient({ url: `file:${built.path}`, intMode: "number" });
const macs = (await db.execute("SELECT mac FROM networks ORDER BY random() LIMIT 40000")).rows.map((r) =>
  String(r.mac),
);
const counts = (await db.execute("SELECT count(*) AS n FROM networks")).rows[0];
db.close();
log(`networks ${counts?.n}, sampled ${macs.length} MACs for detail`);

const { random, box, ssidPrefix } = analystQueries(fleet);
let macAt = 0;
const day = (d: number) => new Date(FLEET_START_MS + d * 86_400_000).toISOString().slice(0, 10);

interface Endpoint {
  name: string;
  next: () => string;
}
const endpoints: Endpoint[] = [
  { name: "search_city", next: () => `/v1/networks?bbox=${box(3000)}&limit=100` },
  { name: "search_street", next: () => `/v1/networks?bbox=${box(200)}&limit=100` },
  {
    name: "search_ssid_prefix",
    next: () => `/v1/networks?ssidPrefix=${encodeURIComponent(ssidPrefix())}&limit=100`,
  },
  { name: "detail", next: () => `/v1/networks/${macs[macAt++ % macs.length]}` },
  { name: "heatmap", next: () => `/v1/heatmap?bbox=${box(3000)}` },
  {
    name: "daily",
    next: () => {
      const from = Math.floor(random() * 20);
      return `/v1/stats/daily?since=${day(from)}T00:00:00Z&until=${day(from + 1 + Math.floor(random() * 8))}T00:00:00Z`;
    },
  },
];

interface Measured {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** The server's CPU time per answered request (utime + stime over the phase), microseconds. */
  cpuUsPerRequest: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/**
 * autocannon on `url` for one phase; `serverPid`'s CPU time over it, per request, is what a contended
 * machine distorts least (req/s there depends on who else had the cores).
 */
async function measure(
  url: string,
  serverPid: number,
  paths: () => string,
  authorization?: string,
): Promise<Measured> {
  const latencies: number[] = [];
  const cpuBefore = processCpuSeconds(serverPid);
  let bad = 0;
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: durationS,
        headers: authorization === undefined ? {} : { authorization },
        requests: [{ setupRequest: (req) => ({ ...req, path: paths() }) }],
      },
      (error, finished) => (error ? fail(error) : done(finished)),
    );
    instance.on("response", (_client, status, _bytes, ms) => {
      if (status !== 200) bad += 1;
      latencies.push(ms);
    });
  });
  const cpuSeconds = processCpuSeconds(serverPid) - cpuBefore;
  latencies.sort((a, b) => a - b);
  return {
    rps: Math.round(result.requests.total / durationS),
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    p99: quantile(latencies, 0.99),
    errors: result.errors + result.timeouts + bad,
    cpuUsPerRequest: (cpuSeconds * 1e6) / Math.max(1, result.requests.total),
  };
}

const show = (name: string, m: Measured) =>
  log(
    `  ${name.padEnd(28)} ${String(m.rps).padStart(7)} req/s  p50 ${m.p50.toFixed(1)}  p95 ${m.p95.toFixed(1)}  p99 ${m.p99.toFixed(1)} ms  cpu ${m.cpuUsPerRequest.toFixed(0)} us/req${m.errors > 0 ? `  ERRORS ${m.errors}` : ""}`,
  );

async function hello(): Promise<Measured> {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, "hello-server.js")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [chunk] = (await once(child.stdout, "data")) as [Buffer];
  const { port } = JSON.parse(chunk.toString("utf8")) as { port: number };
  try {
    return await measure(`http://127.0.0.1:${port}`, child.pid ?? 0, () => "/");
  } finally {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
}

const api: BenchApi = await startBenchApi(built.path);
const auth = `Bearer ${api.analystKey}`;
const results = new Map<string, { cold: Measured; cached: Measured }>();
const hotMix: string[] = [];
let cachedMix: Measured | undefined;
try {
  log(`API ${api.url}; ${connections} connections, ${durationS} s per phase`);
  for (const endpoint of endpoints) {
    const probe = await fetch(`${api.url}${endpoint.next()}`, { headers: { authorization: auth } });
    await probe.arrayBuffer();
    if (probe.status === 404) {
      log(`  ${endpoint.name}: no such route on this build (404), skipped`);
      continue;
    }
    if (probe.status !== 200) throw new Error(`${endpoint.name}: HTTP ${probe.status}`);
    const cold = await measure(api.url, api.pid, endpoint.next, auth);
    show(`${endpoint.name} cold`, cold);
    const hot = Array.from({ length: 16 }, endpoint.next);
    for (const path of hot) {
      const res = await fetch(`${api.url}${path}`, { headers: { authorization: auth } });
      await res.arrayBuffer();
    }
    let i = 0;
    const cached = await measure(api.url, api.pid, () => hot[i++ % hot.length] ?? "/", auth);
    show(`${endpoint.name} cached`, cached);
    results.set(endpoint.name, { cold, cached });
    hotMix.push(...hot);
  }
  // The query mix, every endpoint's hot queries in turn: what the cached ratio is taken from. Asked once
  // more first: the entries of the first endpoints may have outlived the cache's TTL by now.
  for (const path of hotMix) {
    const res = await fetch(`${api.url}${path}`, { headers: { authorization: auth } });
    await res.arrayBuffer();
  }
  let j = 0;
  cachedMix = await measure(api.url, api.pid, () => hotMix[(j++ * 17) % hotMix.length] ?? "/", auth);
  show("mix cached", cachedMix);
} finally {
  await api.stop();
}
const helloWorld = await hello();
show("hono hello-world", helloWorld);

log("merge with and without its aggregates (cloud-api/dist/bench/merge-estimates-ratio.js):");
const mergeRatio = ratioFrom(
  resolve(REPO, "cloud-api/dist/bench/merge-estimates-ratio.js"),
  "merge_ratio_with_aggregates",
  log,
);

const p95 = (name: string) => {
  const r = results.get(name);
  return r === undefined ? "NA" : r.cold.p95.toFixed(1);
};
const search = ["search_city", "search_street", "search_ssid_prefix"]
  .map((n) => results.get(n)?.cold.p95 ?? 0)
  .reduce((a, b) => Math.max(a, b), 0);
const cachedRps = cachedMix?.rps ?? 0;
if (cachedMix !== undefined) {
  log(
    `server cpu per request: mix cached ${cachedMix.cpuUsPerRequest.toFixed(1)} us, hello-world ${helloWorld.cpuUsPerRequest.toFixed(1)} us (cpu ratio ${(helloWorld.cpuUsPerRequest / cachedMix.cpuUsPerRequest).toFixed(3)})`,
  );
}
log(
  "targets: search p95 <= 25 ms (worst of the three searches), detail p95 <= 10 ms, heatmap p95 <= 50 ms (all cold), cached rps of the mix >= 0.5 x hello-world",
);
log(
  `search_p95_ms=${search.toFixed(1)} detail_p95_ms=${p95("detail")} heatmap_p95_ms=${p95("heatmap")} cached_rps_ratio_vs_hello=${(cachedRps / helloWorld.rps).toFixed(3)} merge_ratio_with_aggregates=${mergeRatio}`,
);
