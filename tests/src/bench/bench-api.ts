import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { apiUrl, CLOUD_CLI } from "./sync-cloud.js";
import { childEnv } from "./sync-env.js";

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** CPU time a process has used so far (utime + stime from /proc/<pid>/stat), seconds. */
export function processCpuSeconds(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

export interface BenchApi {
  url: string;
  pid: number;
  analystKey: string;
  /** The process's peak resident set (VmHWM from /proc), MB. */
  peakRssMb(): number;
  /** CPU time the process has used so far (utime + stime from /proc/<pid>/stat), seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * `piwardrive-cloud serve` on an existing database, as a child process on a free port with a unique queue
 * prefix and the analyst rate limit lifted (the benchmarks measure throughput, not policy), plus a fresh
 * analyst key made with `keys add`.
 */
export async function startBenchApi(db: string, env: Record<string, string> = {}): Promise<BenchApi> {
  const childVars = childEnv({
    PIWARDRIVE_ANALYST_PER_MINUTE: "100000000",
    PIWARDRIVE_QUEUE_PREFIX: `bench-${randomUUID()}`,
    ...env,
  });
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, [CLOUD_CLI, ...args, "--db", db], { encoding: "utf8", env: childVars });
  const analystKey = (JSON.parse(cli("keys", "add", "--role", "analyst", "--json")) as { key: string }).key;
  const api: ChildProcess = spawn(
    process.execPath,
    [CLOUD_CLI, "serve", "--port", "0", "--host", "127.0.0.1", "--db", db],
    { env: childVars, stdio: ["ignore", "ignore", "pipe"] },
  );
  const url = await apiUrl(api);
  const pid = api.pid ?? 0;
  return {
    url,
    pid,
    analystKey,
    peakRssMb: () => {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
      return Number(kb) / 1024;
    },
    cpuSeconds: () => processCpuSeconds(pid),
    async stop() {
      if (api.exitCode !== null || api.signalCode !== null) return;
      const exited = once(api, "exit");
      api.kill("SIGTERM");
      await exited;
    },
  };
}

/** Runs a built bench script of this repo and returns the value of `name=` on its last line. */
export function ratioFrom(script: string, name: string, log: (line: string) => void): string {
  const out = execFileSync(process.execPath, [script], { encoding: "utf8", env: childEnv() });
  for (const line of out.trim().split("\n")) log(`  ${line}`);
  const value = new RegExp(`${name}=(\\S+)`).exec(out.trim().split("\n").at(-1) ?? "")?.[1];
  if (value === undefined) throw new Error(`${script} printed no ${name}=`);
  return value;
}
