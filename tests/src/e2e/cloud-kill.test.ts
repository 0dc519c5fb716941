import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudHarness } from "./harness/cloud.js";
import { EdgeHarness } from "./harness/edge.js";
import { expectCloudEqualsEdge } from "./harness/exact.js";
import { killAllChildren, waitFor } from "./harness/processes.js";
import { syntheticWigleCsv } from "./harness/synthetic-wigle.js";

describe("SIGKILL of the cloud API and of the merge worker", () => {
  const cloud = new CloudHarness();
  let edge: EdgeHarness;

  beforeAll(async () => {
    await cloud.init();
    edge = new EdgeHarness(await cloud.addDevice());
    await edge.importText(syntheticWigleCsv(40_000, { tag: 2 }));
  });

  afterAll(async () => {
    await killAllChildren();
    await cloud.cleanup();
    edge?.cleanup();
  });

  it("ends exact after the API dies mid-ingest and the worker dies mid-merge", async () => {
    // API killed while the edge is uploading; the running sync retries until it is back on the same port
    await cloud.startApi();
    const sync = edge.spawnSync(cloud.url);
    await waitFor("a first landed batch", async () =>
      (await cloud.stats()).batches.landed > 0 ? true : undefined,
    );
    await cloud.stopApi("SIGKILL");
    expect(sync.proc.exitCode).toBeNull();
    const landedAtKill = await cloud.count("SELECT count(*) AS n FROM landed_batches");
    expect(landedAtKill).toBeLessThan(8);
    await sleep(1_000);
    await cloud.startApi();
    await sync.exited;
    const { code, json } = await edge.syncOnce(cloud);
    expect(code).toBe(0);
    expect(json?.backlog).toBe(0);

    // everything landed, nothing merged yet (no worker ran)
    const landed = await cloud.stats();
    expect(landed.batches.merged).toBe(0);
    expect(landed.observations).toBe(0);

    // worker killed while it is merging: some batches done, others not
    await cloud.startWorker();
    await waitFor(
      "a first merged batch",
      async () => ((await cloud.stats()).batches.merged > 0 ? true : undefined),
      30_000,
      20,
    );
    await cloud.stopWorker("SIGKILL");
    const atKill = await cloud.stats();
    expect(atKill.batches.merged).toBeLessThan(atKill.batches.landed);

    // a new worker picks up the rest (stalled jobs after their lock expires, lost ones via the reconciler)
    await cloud.startWorker();
    await expectCloudEqualsEdge(cloud, edge);
  });
});
