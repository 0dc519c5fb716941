import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { join, resolve } from "node:path";
import { childEnv } from "./sync-env.js";

/** The built CLIs of this monorepo, as operators run them. */
export const CLOUD_CLI = resolve(import.meta.dirname, "../../../cloud-api/dist/cli/main.js");
export const EDGE_CLI = resolve(import.meta.dirname, "../../../edge-agent/dist/cli/main.js");

export interface Stats {
  observations: number;
  networks: number;
  batches: { landed: number; merged: number; failed: number };
}

export interface BenchCloud {
  url: string;
  db: string;
  analystKey: string;
  addDevice(name: string): { id: string; token: string };
  stats(): Promise<Stats>;
  /** Polls /v1/stats until `done` holds; returns the stats and when it first held (performance.now()). */
  waitFor(done: (s: Stats) => boolean, timeoutMs: number): Promise<{ stats: Stats; at: number }>;
  stop(): Promise<void>;
}

/**
 * `piwardrive-cloud serve` and one `worker` as child processes on a temp database, a unique queue prefix
 * and a free port. The per-device rate limit is lifted: the benchmark measures throughput, not policy.
 * Metrics are on (the default) unless `metrics: false`.
 */
export async function startBenchCloud(
  dir: string,
  prefix: string,
  options: { metrics?: boolean } = {},
): Promise<BenchCloud> {
  const db = join(dir, "cloud.db");
  const env = childEnv({
    PIWARDRIVE_INGEST_PER_MINUTE: "1000000",
    // off: no Prometheus series and no statement timing in either process (what the overhead is measured against)
    PIWARDRIVE_METRICS: options.metrics === false ? "off" : "on",
  });
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, [CLOUD_CLI, ...args, "--db", db], { encoding: "utf8", env });
  cli("migrate");
  const analystKey = (JSON.parse(cli("keys", "add", "--role", "analyst", "--json")) as { key: string }).key;
  const shared = ["--db", db, "--queue-prefix", prefix];
  const spawnCloud = (args: string[]): ChildProcess =>
    spawn(process.execPath, [CLOUD_CLI, ...args, ...shared], { env, stdio: ["ignore", "ignore", "pipe"] });
  const api = spawnCloud(["serve", "--port", "0", "--host", "127.0.0.1"]);
  const worker = spawnCloud(["worker"]);
  worker.stderr?.resume();
  const url = await apiUrl(api);
  const stats = async (): Promise<Stats> => {
    const res = await fetch(`${url}/v1/stats`, { headers: { authorization: `Bearer ${analystKey}` } });
    if (!res.ok) throw new Error(`GET /v1/stats: HTTP ${res.status}`);
    return (await res.json()) as Stats;
  };
  return {
    url,
    db,
    analystKey,
    addDevice: (name) => JSON.parse(cli("devices", "add", name, "--json")) as { id: string; token: string },
    stats,
    async waitFor(done, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const s = await stats();
        if (done(s)) return { stats: s, at: performance.now() };
        if (performance.now() > deadline) throw new Error(`timed out waiting; stats ${JSON.stringify(s)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await Promise.all(
        [api, worker].map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = once(child, "exit");
          child.kill("SIGTERM");
          await exited;
        }),
      );
    },
  };
}

/** `piwardrive-edge sync --once --json`: drains the edge outbox; resolves with its report. */
export function edgeSyncOnce(input: { db: string; url: string; deviceId: string; token: string }) {
  const args = [
    "sync",
    "--once",
    "--json",
    "--db",
    input.db,
    "--cloud",
    input.url,
    "--device",
    input.deviceId,
  ];
  const child = spawn(process.execPath, [EDGE_CLI, ...args], {
    env: childEnv({ PIWARDRIVE_EDGE_SYNC_TOKEN: input.token }),
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  return once(child, "close").then(([code]) => {
    if (code !== 0) throw new Error(`edge sync --once exited ${code}: ${out}`);
    return JSON.parse(out) as { observationsSent: number; bytesSent: number; batchesSent: number };
  });
}

/** The URL a `piwardrive-cloud serve` child logs once it listens (its stderr is drained after that). */
export function apiUrl(api: ChildProcess): Promise<string> {
  return new Promise<string>((done, fail) => {
    let log = "";
    api.once("exit", (code) => fail(new Error(`cloud serve exited ${code}: ${log}`)));
    api.stderr?.on("data", (d: Buffer) => {
      log += d.toString("utf8");
      const found = /"message":"api listening","url":"([^"]+)"/.exec(log)?.[1];
      if (found) {
        api.stderr?.removeAllListeners("data").resume();
        done(found);
      }
    });
  });
}
