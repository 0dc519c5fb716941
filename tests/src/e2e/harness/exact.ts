import { expect } from "vitest";
import type { CloudHarness } from "./cloud.js";
import { cloudCountsByRun, cloudObservations, edgeCountsByRun, edgeObservations } from "./compare.js";
import type { EdgeHarness } from "./edge.js";

/**
 * The end state every fault test wants: all merged, none failed, and the cloud holds exactly the edge's
 * observations: the same (run_id, seq) keys, each once (the cloud's primary key), with the same fields.
 */
export async function expectCloudEqualsEdge(cloud: CloudHarness, edge: EdgeHarness): Promise<void> {
  const stats = await cloud.waitMerged(90_000);
  expect(stats.batches.failed).toBe(0);
  const edgeRows = await edgeObservations(edge);
  const cloudRows = await cloudObservations(cloud, edge.device.id);
  expect(cloudRows.size).toBe(edgeRows.size);
  expect(stats.observations).toBe(edgeRows.size);
  expect(await cloudCountsByRun(cloud, edge.device.id)).toEqual(await edgeCountsByRun(edge));
  const missing = [...edgeRows.keys()].filter((k) => !cloudRows.has(k));
  expect(missing.slice(0, 5)).toEqual([]);
  const differing = [...edgeRows].filter(
    ([k, row]) => JSON.stringify(cloudRows.get(k)) !== JSON.stringify(row),
  );
  expect(differing.slice(0, 3)).toEqual([]);
}
