import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudHarness } from "./harness/cloud.js";
import { EdgeHarness } from "./harness/edge.js";
import { expectCloudEqualsEdge } from "./harness/exact.js";
import { killAllChildren, killChild } from "./harness/processes.js";
import { between, seededRandom } from "./harness/random.js";
import { syntheticWigleCsv } from "./harness/synthetic-wigle.js";

const SEED = 20_260_101;
const ROUNDS = 5;
/** Upload cap for the killed syncs: keeps them running through the kill window however fast the host. */
const KILLED_SYNC_BYTES_PER_SEC = "8000";

describe("SIGKILL of the edge sync process mid-sync", () => {
  const cloud = new CloudHarness();
  let edge: EdgeHarness;

  beforeAll(async () => {
    await cloud.init();
    edge = new EdgeHarness(await cloud.addDevice());
    await cloud.startApi();
    await cloud.startWorker();
    // 40k rows: 8 batches of 5,000 (the outbox's default batch size)
    await edge.importText(syntheticWigleCsv(40_000, { tag: 1 }));
  });

  afterAll(async () => {
    await killAllChildren();
    await cloud.cleanup();
    edge?.cleanup();
  });

  it(`loses and duplicates nothing over ${ROUNDS} killed rounds (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const killedMidway: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const sync = edge.spawnSync(cloud.url, ["--bandwidth", KILLED_SYNC_BYTES_PER_SEC]);
      await sleep(between(random, 250, 1_500));
      const finished = sync.proc.exitCode !== null;
      await killChild(sync, "SIGKILL");
      if (!finished) killedMidway.push(round);
      // more rows from a new process (a new run) between the kills
      await edge.importText(syntheticWigleCsv(3_000, { tag: 10 + round }));
    }
    // the kills must have hit running syncs, or this test proves nothing
    expect(killedMidway.length).toBeGreaterThanOrEqual(3);
    const landedBefore = (await cloud.stats()).batches.landed;
    expect(landedBefore).toBeGreaterThan(0);

    const { code, json } = await edge.syncOnce(cloud);
    expect(code).toBe(0);
    expect(json?.backlog).toBe(0);
    expect(await edge.count("SELECT count(*) AS n FROM observations")).toBe(40_000 + ROUNDS * 3_000);
    await expectCloudEqualsEdge(cloud, edge);
  });
});
