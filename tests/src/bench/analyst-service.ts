import { resolve } from "node:path";
import {
  getNetworkDetail,
  openCloudDb,
  parseNetworkQuery,
  type SearchPath,
  searchNetworks,
} from "@piwardrive/cloud-api";
import { DEFAULT_BATCH_ROWS, ensureAnalystDb } from "./analyst-db.js";
import { analystQueries } from "./analyst-queries.js";
import { numberArg, stringArg } from "./args.js";

/*
 * npm run bench:analyst-service: what one analyst read costs the database, without HTTP or concurrency:
 * the searches and detail of bench:analyst's query mix, run one after the other in this process on the
 * same cached fleet database, each search also forced down every access path that can answer it
 * (decision 0032). Figures per query: wall mean/p50/p95 and CPU ms (steadier on a shared machine).
 * Flags: --observations (10,000,000), --devices (20), --seed (1), --queries per case (300), --cache-dir.
 */
const argv = process.argv.slice(2);
const fleet = {
  observations: numberArg(argv, "observations", 10_000_000),
  devices: numberArg(argv, "devices", 20),
  seed: numberArg(argv, "seed", 1),
  batchRows: numberArg(argv, "batch-rows", DEFAULT_BATCH_ROWS),
};
const queries = numberArg(argv, "queries", 300);
const REPO = resolve(import.meta.dirname, "../../..");
const cacheDir = stringArg(argv, "cache-dir") ?? resolve(REPO, "data/bench");
const built = await ensureAnalystDb(fleet, cacheDir, console.log);
const db = await openCloudDb({ db: built.path, busyTimeoutMs: 5000 });

const { box, ssidPrefix } = analystQueries(fleet);
const macs = (await db.execute("SELECT mac FROM networks ORDER BY random() LIMIT 5000")).rows.map((r) =>
  String(r.mac),
);

const search = (params: () => Record<string, string>, paths?: SearchPath[]) => async () => {
  const page = await searchNetworks(
    db,
    parseNetworkQuery({ ...params(), limit: "100" }),
    paths ? { paths } : {},
  );
  return JSON.stringify(page).length;
};
const city3km = () => ({ bbox: box(3000) });
const street = () => ({ bbox: box(200) });
const prefix = () => ({ ssidPrefix: ssidPrefix() });
let at = 0;
const cases: [string, () => Promise<number>][] = [
  ["search_city", search(city3km)],
  ["search_city walk", search(city3km, ["walk"])],
  ["search_street", search(street)],
  ["search_street walk", search(street, ["walk"])],
  ["search_ssid_prefix", search(prefix)],
  ["search_ssid_prefix walk", search(prefix, ["walk"])],
  ["detail", async () => JSON.stringify(await getNetworkDetail(db, macs[at++ % macs.length] ?? "")).length],
];

console.log(`database ${built.path}; ${queries} queries per case, one at a time`);
for (const [name, run] of cases) {
  for (let i = 0; i < 20; i++) await run();
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < queries; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);
  const q = (p: number) => (times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0).toFixed(2);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(
    `  ${name.padEnd(24)} mean ${mean.toFixed(2)}  p50 ${q(0.5)}  p95 ${q(0.95)} ms  cpu ${((used.user + used.system) / 1000 / queries).toFixed(2)} ms/query`,
  );
}
db.close();
