import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AGENT_VERSION } from "../agent-version.js";
import { BatchedWriter } from "../store/batched-writer.js";
import type { EdgeStore } from "../store/edge-store.js";
import { type CloudPeer, startCloudPeer } from "../test-support/cloud-peer.js";
import { clientFor, storedKeys, syncRow, writeRun } from "../test-support/sync-kit.js";
import { openTempStore, sampleObservation } from "../test-support/temp-store.js";

let peer: CloudPeer;
let store: EdgeStore;
let cleanup: () => void;

beforeEach(async () => {
  peer = await startCloudPeer();
  ({ store, cleanup } = await openTempStore());
});
afterEach(async () => {
  await peer.close();
  cleanup();
});

/** Every stored observation landed, each exactly once by (run, seq). */
async function expectExactlyOnce() {
  expect([...peer.landed.keys()].sort()).toEqual((await storedKeys(store)).sort());
  expect([...peer.landed.values()].filter((n) => n !== 1)).toEqual([]);
}

const seqsOf = (batchSeq: number) =>
  peer.requests
    .filter((r) => r.batch?.batchSeq === batchSeq)
    .map((r) => r.batch?.observations.map((o) => o.seq));

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000) {
  const until = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > until) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("SyncClient", () => {
  it("delivers the backlog in batches, every observation exactly once, and says what it sent", async () => {
    await writeRun(store, 230);
    const report = await clientFor(store, peer).drain();
    expect(report).toMatchObject({
      batchesSent: 5,
      observationsSent: 230,
      duplicates: 0,
      backlog: 0,
      stoppedBy: null,
    });
    expect(report.bytesSent).toBe(peer.requests.reduce((sum, r) => sum + r.bytes, 0));
    await expectExactlyOnce();
    expect(await syncRow(store)).toMatchObject({ acked_seq: 230, next_batch_seq: 6, failures: 0 });
    expect((await store.execute("SELECT count(*) AS n FROM sync_batches")).rows[0]?.n).toBe(0);
  });

  it("tells the cloud its version and what is left after each batch (X-PiWardrive-* headers)", async () => {
    await writeRun(store, 230);
    await clientFor(store, peer).drain();
    const sent = peer.requests.map((r) => [r.batch?.observations.length, r.headers["x-piwardrive-backlog"]]);
    expect(sent).toEqual([
      [50, "180"],
      [50, "130"],
      [50, "80"],
      [50, "30"],
      [30, "0"],
    ]);
    const versions = new Set(peer.requests.map((r) => r.headers["x-piwardrive-agent-version"]));
    expect([...versions]).toEqual([AGENT_VERSION]);
    expect(AGENT_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("keeps one run per batch and each row's own run_id", async () => {
    const a = await writeRun(store, 30);
    const b = await writeRun(store, 30);
    await clientFor(store, peer).drain();
    expect(peer.requests.map((r) => [r.batch?.runId, r.batch?.firstSeq, r.batch?.lastSeq])).toEqual([
      [a, 1, 30],
      [b, 31, 60],
    ]);
    await expectExactlyOnce();
  });

  it("moves the cursor over the acknowledged prefix only, with answers out of order", async () => {
    await writeRun(store, 150);
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    peer.fault = (batch) => (batch.batchSeq === 1 ? { until: held } : undefined);
    const draining = clientFor(store, peer, { concurrency: 3 }).drain();
    const ackedLater = async () =>
      (await store.execute("SELECT count(*) AS n FROM sync_batches WHERE acked_at IS NOT NULL")).rows[0]
        ?.n === 2;
    await waitFor(ackedLater);
    expect(peer.requests).toHaveLength(3); // all three in flight at once
    expect((await syncRow(store))?.acked_seq).toBe(0);
    release();
    expect(await draining).toMatchObject({ batchesSent: 3, backlog: 0 });
    expect((await syncRow(store))?.acked_seq).toBe(150);
    await expectExactlyOnce();
  });

  it("retries 503 + Retry-After, 500 and resets, resending each batch unchanged, still exactly once", async () => {
    await writeRun(store, 200);
    peer.fault = (batch, attempt) => {
      if (attempt > 1) return undefined;
      if (batch.batchSeq === 1) return { status: 503, retryAfter: "1" };
      if (batch.batchSeq === 2) return { reset: "after" }; // landed, but the answer is lost
      if (batch.batchSeq === 3) return { status: 500 };
      if (batch.batchSeq === 4) return { reset: "before" };
      return undefined;
    };
    const report = await clientFor(store, peer).drain({ maxWaitMs: 10_000 });
    expect(report).toMatchObject({
      batchesSent: 4,
      observationsSent: 200,
      duplicates: 1,
      backlog: 0,
      stoppedBy: null,
    });
    await expectExactlyOnce();
    const first = peer.requests.filter((r) => r.batch?.batchSeq === 1);
    expect(first).toHaveLength(2);
    expect((first[1]?.at ?? 0) - (first[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    for (const seq of [1, 2, 3, 4]) {
      const sent = seqsOf(seq);
      expect(sent.length).toBe(2);
      expect(sent[1]).toEqual(sent[0]);
    }
  });

  it("stops at a refused batch, records why, and leaves the cursor before it", async () => {
    await writeRun(store, 150);
    peer.fault = (batch) =>
      batch.batchSeq === 2
        ? { status: 400, body: { error: { code: "invalid_batch", message: "nope" } } }
        : undefined;
    const report = await clientFor(store, peer, { concurrency: 1 }).drain({ maxWaitMs: 10_000 });
    expect(report.stoppedBy).toMatchObject({ kind: "refused", batchSeq: 2 });
    expect(report).toMatchObject({ batchesSent: 1, backlog: 100 });
    const row = await syncRow(store);
    expect(row).toMatchObject({ acked_seq: 50, blocked_batch_seq: 2 });
    expect(String(row?.last_error)).toContain("HTTP 400: invalid_batch nope");
    expect(peer.requests).toHaveLength(2); // nothing after the refusal

    peer.fault = () => undefined; // the cloud was fixed: the next run resends batch 2 as it was
    expect(await clientFor(store, peer).drain()).toMatchObject({ backlog: 0, stoppedBy: null });
    expect(await syncRow(store)).toMatchObject({ acked_seq: 150, blocked_batch_seq: null });
    expect(seqsOf(2)[1]).toEqual(seqsOf(2)[0]);
    await expectExactlyOnce();
  });

  it("keeps to the bandwidth cap on a metered link", async () => {
    // Random SSIDs barely compress, so ~40 KB go over the wire.
    const rows = Array.from({ length: 600 }, (_, i) =>
      sampleObservation(i, 40, { ssid: randomBytes(24).toString("hex") }),
    );
    const writer = new BatchedWriter(store);
    await writer.write(rows);
    await writer.close();
    const rate = 12_000;
    const burst = 1_000;
    const started = performance.now();
    const report = await clientFor(store, peer, {
      bandwidthBytesPerSec: rate,
      bandwidthBurstBytes: burst,
    }).drain();
    const elapsedMs = performance.now() - started;
    expect(report.bytesSent).toBeGreaterThan(2 * rate);
    expect(elapsedMs).toBeGreaterThanOrEqual(((report.bytesSent - burst) / rate) * 1000 * 0.9);
    await expectExactlyOnce();
  });
});
