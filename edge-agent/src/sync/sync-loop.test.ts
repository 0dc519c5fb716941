import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EdgeStore } from "../store/edge-store.js";
import { type CloudPeer, startCloudPeer } from "../test-support/cloud-peer.js";
import { clientFor, syncRow, writeRun } from "../test-support/sync-kit.js";
import { openTempStore } from "../test-support/temp-store.js";
import type { DrainReport, SyncClientOptions } from "./sync-client.js";
import { SyncLoop, type SyncLoopOptions } from "./sync-loop.js";

let peer: CloudPeer;
let store: EdgeStore;
let cleanup: () => void;
let loop: SyncLoop | null = null;

beforeEach(async () => {
  peer = await startCloudPeer();
  ({ store, cleanup } = await openTempStore());
});
afterEach(async () => {
  await loop?.stop();
  loop = null;
  await peer.close();
  cleanup();
});

const startLoop = (options: Partial<SyncClientOptions> = {}, loopOptions: SyncLoopOptions = {}) => {
  loop = new SyncLoop(clientFor(store, peer, { maxAgeMs: 0, ...options }), { pollMs: 20, ...loopOptions });
  loop.start();
  return loop;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000) {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error("condition not reached");
    await sleep(5);
  }
}
const gaps = () => peer.requests.slice(1).map((r, i) => r.at - (peer.requests[i]?.at ?? 0));

describe("SyncLoop", () => {
  it("runOnce drains everything, partial batches included, and reports the counts", async () => {
    await writeRun(store, 120);
    const report = await new SyncLoop(clientFor(store, peer, { maxAgeMs: 60_000 })).runOnce();
    expect(report).toMatchObject({ batchesSent: 3, observationsSent: 120, duplicates: 0, backlog: 0 });
    expect(report.bytesSent).toBeGreaterThan(0);
  });

  it("idles without a backlog and sends once rows appear", async () => {
    startLoop();
    await sleep(150);
    expect(peer.requests).toEqual([]);
    await writeRun(store, 70);
    await until(() => peer.landed.size === 70);
    await until(async () => (await syncRow(store))?.acked_seq === 70);
  });

  it("backs off after failures, doubling, and re-arms from the base after a success", async () => {
    // random 0.999: each delay is just under its ceiling (100, 200, ... ms), so the gaps are measurable.
    peer.fault = (_batch, attempt) => (attempt <= 2 ? { status: 500 } : undefined);
    await writeRun(store, 10);
    const reports: DrainReport[] = [];
    startLoop(
      { backoff: { baseMs: 100, maxMs: 10_000 }, random: () => 0.999 },
      { onReport: (r) => reports.push(r) },
    );
    await until(() => peer.landed.size === 10);
    expect(peer.requests.map((r) => r.status)).toEqual([500, 500, 202]);
    const [g1, g2] = gaps();
    expect(g1).toBeGreaterThanOrEqual(99);
    expect(g2).toBeGreaterThanOrEqual(199);
    await until(async () => (await syncRow(store))?.acked_seq === 10);
    expect(await syncRow(store)).toMatchObject({ failures: 0, next_attempt_at: null });

    peer.fault = (_batch, attempt) => (attempt === 1 ? { status: 503 } : undefined);
    await writeRun(store, 10);
    await until(() => peer.landed.size === 20);
    expect(peer.requests.map((r) => r.status)).toEqual([500, 500, 202, 503, 202]);
    expect(gaps()[3]).toBeGreaterThanOrEqual(99);
    // The delay chosen after the 4th request: about 100 ms again (base), where a counter that was not
    // reset by the success would have given about 400 ms.
    const rearmed = reports.map((r) => r.stoppedBy).filter((s) => s?.kind === "retry")[2];
    const delay = (rearmed?.nextAttemptAt ?? 0) - (peer.requests[3]?.wallAt ?? 0);
    expect(delay).toBeGreaterThanOrEqual(99);
    expect(delay).toBeLessThan(399);
  });

  it("waits out Retry-After before the next attempt", async () => {
    peer.fault = (_batch, attempt) => (attempt === 1 ? { status: 429, retryAfter: "1" } : undefined);
    await writeRun(store, 5);
    startLoop();
    await until(() => peer.landed.size === 5);
    expect(peer.requests).toHaveLength(2);
    expect(gaps()[0]).toBeGreaterThanOrEqual(1_000);
  });

  it("halts on a refusal, sends nothing more, and resumes when told", async () => {
    peer.fault = () => ({ status: 403, body: { error: { code: "forbidden", message: "device revoked" } } });
    await writeRun(store, 5);
    const running = startLoop();
    await until(() => running.halted !== null);
    expect(running.halted).toContain("HTTP 403: forbidden device revoked");
    await writeRun(store, 5);
    await sleep(150);
    expect(peer.requests).toHaveLength(1);
    expect((await syncRow(store))?.blocked_batch_seq).toBe(1);
    peer.fault = () => undefined;
    running.resume();
    await until(() => peer.landed.size === 10);
    expect(running.halted).toBeNull();
  });
});
