import { analystCalls, analystTargets } from "./analyst-calls.js";
import type { Children } from "./children.js";
import type { RunningCloud } from "./cloud-processes.js";
import { fetchStats, topNetworks, waitForMerge } from "./cloud-view.js";
import type { DemoCredentials } from "./credentials.js";
import { driveInto, loadDrive } from "./demo-drive.js";
import { syncOnce } from "./edge-sync.js";
import type { DemoConfig } from "./env.js";

export interface DemoRun {
  config: DemoConfig;
  children: Children;
  cloud: RunningCloud;
  credentials: DemoCredentials;
  cloudDb: string;
  edgeDb: string;
  print: (line?: string) => void;
}

/**
 * One drive + sync, then the summary an operator wants (what arrived, where to look); without --once,
 * another drive and sync every resyncMs until the process is stopped.
 */
export async function runDemo(run: DemoRun): Promise<void> {
  const { print, cloud, credentials } = run;
  const drive = await loadDrive();
  const round = async () => {
    const driven = await driveInto(run.edgeDb, drive);
    const synced = await syncOnce(run.children, {
      db: run.edgeDb,
      cloudUrl: cloud.url,
      deviceId: credentials.device.id,
      token: credentials.device.token,
    });
    const before = await fetchStats(cloud.url, credentials.operator.key);
    const stats = await waitForMerge(cloud.url, credentials.operator.key, before.batches.landed);
    return { driven, synced, stats };
  };
  const first = await round();
  print(
    `edge      drove ${first.driven.fixes} GPS fixes, ${first.driven.observations} sightings ` +
      `(${first.driven.tagged} positioned) into ${run.edgeDb}`,
  );
  print(`sync      ${JSON.stringify(first.synced)}`);
  print(`stats     ${JSON.stringify(first.stats)}`);
  print("networks  (most seen)");
  for (const n of await topNetworks(run.cloudDb, 5)) {
    const where = n.lat === null || n.lon === null ? "-" : `${n.lat.toFixed(5)},${n.lon.toFixed(5)}`;
    print(
      `  ${n.mac}  ${JSON.stringify(n.ssid ?? "<hidden>").padEnd(28)} seen ${n.observations}x at ${where}`,
    );
  }
  print();
  print(`API          ${cloud.url}  (GET /v1/stats with "Authorization: Bearer <operator key>")`);
  print(`bull-board   ${cloud.url}/admin/queues  (any user name, password = the operator key)`);
  print(`operator key ${credentials.operator.key}`);
  print(`device       ${credentials.device.id}`);
  print();
  print("analyst calls (ready to paste):");
  for (const call of analystCalls(cloud.url, credentials.analyst.key, await analystTargets(run.cloudDb)))
    print(`  ${call}`);
  if (run.config.once) return;
  print();
  print(`serving; driving and re-syncing every ${run.config.resyncMs / 1000}s. Ctrl-C to stop.`);
  const again = async () => {
    try {
      const next = await round();
      print(
        `resync    +${next.synced.observationsSent} sightings; observations ${next.stats.observations}, ` +
          `networks ${next.stats.networks}, batches merged ${next.stats.batches.merged}/${next.stats.batches.landed}`,
      );
    } catch (error) {
      print(`resync    failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    setTimeout(again, run.config.resyncMs).unref();
  };
  setTimeout(again, run.config.resyncMs).unref();
  // Keeps the process alive between rounds (the timers are unref'd so --once never waits on them).
  setInterval(() => {}, 1 << 30);
}
