import type { Scenario } from "./scenario.js";

/** Share of the mixed scenario's requests that are ingest batches (the rest are analyst reads). */
export const MIXED_INGEST_SHARE = 0.25;

/** Analyst reads and device ingest together, as a fleet syncing while analysts work sees it. */
export function mixedScenario(analyst: Scenario, ingest: Scenario): Scenario {
  return {
    name: "mixed",
    async prepare(expected) {
      await analyst.prepare?.(expected);
      await ingest.prepare?.(Math.ceil(expected * MIXED_INGEST_SHARE));
    },
    next(random) {
      return random() < MIXED_INGEST_SHARE ? ingest.next(random) : analyst.next(random);
    },
    async close() {
      await Promise.allSettled([analyst.close?.(), ingest.close?.()]);
    },
  };
}
