import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudHarness } from "./harness/cloud.js";
import { EdgeHarness } from "./harness/edge.js";
import { expectCloudEqualsEdge } from "./harness/exact.js";
import { type Fault, FaultProxy } from "./harness/fault-proxy.js";
import { killAllChildren } from "./harness/processes.js";
import { seededRandom } from "./harness/random.js";
import { syntheticWigleCsv } from "./harness/synthetic-wigle.js";

const SEED = 77;

/** Each fault at least twice, one stall (it costs the client's 30 s timeout), shuffled by the seed. */
function faultSchedule(random: () => number): Fault[] {
  const faults: Fault[] = ["drop", "reset", "cut-response", "delay", "pass"].flatMap(
    (f) => [f, f, f] as Fault[],
  );
  for (let i = faults.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [faults[i], faults[j]] = [faults[j] as Fault, faults[i] as Fault];
  }
  return ["pass", "stall", ...faults];
}

describe("sync through a faulty TCP link", () => {
  const cloud = new CloudHarness();
  let edge: EdgeHarness;
  let proxy: FaultProxy;

  beforeAll(async () => {
    await cloud.init();
    edge = new EdgeHarness(await cloud.addDevice());
    await cloud.startApi();
    await cloud.startWorker();
    await edge.importText(syntheticWigleCsv(30_000, { tag: 5 }));
  });

  afterAll(async () => {
    await killAllChildren();
    await proxy?.close();
    await cloud.cleanup();
    edge?.cleanup();
  });

  it(`drains the backlog exactly through drops, resets, lost answers, delays and a stall (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const schedule = faultSchedule(random);
    proxy = new FaultProxy(cloud.port, schedule, random);
    const url = `http://127.0.0.1:${await proxy.listen()}`;
    let backlog = -1;
    let runs = 0;
    let duplicates = 0;
    let lastRun = "";
    // until the whole schedule was played and the backlog is empty; more rows (a new run) when it drains early
    while ((backlog > 0 || proxy.connections < schedule.length) && runs < 40) {
      runs += 1;
      if (backlog === 0) await edge.importText(syntheticWigleCsv(10_000, { tag: 50 + runs }));
      const { json, code, stderr } = await edge.syncOnce(url);
      backlog = json?.backlog ?? -1;
      lastRun = `run ${runs}: exit ${code}; stderr: ${stderr.trim()}`;
      duplicates += json?.duplicates ?? 0;
    }
    expect(backlog, lastRun).toBe(0);
    for (const fault of ["drop", "reset", "cut-response", "delay", "stall"] as const) {
      expect(proxy.applied[fault], fault).toBeGreaterThan(0);
    }
    // an answer cut after the server landed the batch must come back as a duplicate on resend
    expect(duplicates).toBeGreaterThan(0);
    await expectCloudEqualsEdge(cloud, edge);
  });
});
