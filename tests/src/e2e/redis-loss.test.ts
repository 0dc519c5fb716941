import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudHarness } from "./harness/cloud.js";
import { EdgeHarness } from "./harness/edge.js";
import { expectCloudEqualsEdge } from "./harness/exact.js";
import { killAllChildren } from "./harness/processes.js";
import { OwnRedis } from "./harness/redis.js";
import { syntheticWigleCsv } from "./harness/synthetic-wigle.js";

describe("Redis restarted with its jobs lost", () => {
  const redis = new OwnRedis();
  let cloud: CloudHarness;
  let edge: EdgeHarness;

  beforeAll(async () => {
    await redis.start();
    cloud = new CloudHarness(redis.url);
    await cloud.init();
    edge = new EdgeHarness(await cloud.addDevice());
    await edge.importText(syntheticWigleCsv(20_000, { tag: 3 }));
  });

  afterAll(async () => {
    await killAllChildren();
    await cloud?.cleanup();
    await redis.cleanup();
    edge?.cleanup();
  });

  it("re-enqueues landed-but-unmerged batches from the database (the reconciler)", async () => {
    await cloud.startApi();
    const first = await edge.syncOnce(cloud);
    expect(first.code).toBe(0);
    expect(first.json?.backlog).toBe(0);
    const landed = await cloud.stats();
    expect(landed.batches.landed).toBe(4);
    expect(landed.batches.merged).toBe(0);
    expect(await redis.keyCount()).toBeGreaterThan(0);

    // kill -9: the merge jobs existed only in this Redis (no persistence)
    await redis.kill();
    await redis.start();
    expect(await redis.keyCount()).toBe(0);

    await cloud.startWorker();
    await expectCloudEqualsEdge(cloud, edge);

    // the API's own Redis connection came back too: new data lands and merges
    await edge.importText(syntheticWigleCsv(2_000, { tag: 4 }));
    const second = await edge.syncOnce(cloud);
    expect(second.code).toBe(0);
    expect(second.json).toMatchObject({ observationsSent: 2_000, backlog: 0 });
    await expectCloudEqualsEdge(cloud, edge);
  });
});
