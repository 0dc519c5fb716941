import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudHarness } from "./harness/cloud.js";
import { cloudCountsByRun, cloudObservations, edgeCountsByRun, edgeObservations } from "./harness/compare.js";
import { EdgeHarness } from "./harness/edge.js";
import { killAllChildren } from "./harness/processes.js";
import { syntheticWigleCsv } from "./harness/synthetic-wigle.js";

const N = 6_000;

describe("edge database rolled back to an earlier snapshot", () => {
  const cloud = new CloudHarness();
  let edge: EdgeHarness;

  beforeAll(async () => {
    await cloud.init();
    edge = new EdgeHarness(await cloud.addDevice());
    await cloud.startApi();
    await cloud.startWorker();
  });

  afterAll(async () => {
    await killAllChildren();
    await cloud.cleanup();
    edge?.cleanup();
  });

  const syncAll = async () => {
    const { code, json } = await edge.syncOnce(cloud);
    expect(code).toBe(0);
    expect(json?.backlog).toBe(0);
    return json;
  };

  it("still delivers data written after the rollback, though it reuses the lost rows' seqs", async () => {
    await edge.importText(syntheticWigleCsv(N, { tag: 20 }));
    await syncAll();
    const [runA] = [...(await edgeCountsByRun(edge)).keys()];
    edge.snapshot("after-first-sync");

    await edge.importText(syntheticWigleCsv(N, { tag: 21 }));
    await syncAll();
    await cloud.waitMerged();
    const runB = [...(await edgeCountsByRun(edge)).keys()].find((r) => r !== runA);
    const lostSeqs = await edge.count("SELECT max(seq) AS n FROM observations");
    expect(lostSeqs).toBe(2 * N);

    // power cut: run B's rows (and the acks for them) are gone from the edge, not from the cloud
    edge.restore("after-first-sync");
    expect(await edge.count("SELECT count(*) AS n FROM observations")).toBe(N);
    await edge.importText(syntheticWigleCsv(N, { tag: 22 }));
    const edgeRuns = await edgeCountsByRun(edge);
    const runC = [...edgeRuns.keys()].find((r) => r !== runA);
    expect(runC).toBeDefined();
    expect(runC).not.toBe(runB);
    // the new rows reuse the seqs of the lost ones
    expect(await edge.count("SELECT max(seq) AS n FROM observations")).toBe(2 * N);

    const json = await syncAll();
    expect(json?.observationsSent).toBeGreaterThanOrEqual(N);
    await cloud.waitMerged();
    const byRun = await cloudCountsByRun(cloud, edge.device.id);
    expect(Object.fromEntries(byRun)).toEqual({ [String(runA)]: N, [String(runB)]: N, [String(runC)]: N });

    const cloudRows = await cloudObservations(cloud, edge.device.id);
    for (const [key, row] of await edgeObservations(edge)) expect(cloudRows.get(key), key).toEqual(row);
    expect((await cloud.stats()).observations).toBe(3 * N);
  });
});
