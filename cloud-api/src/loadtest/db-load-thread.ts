import { parentPort, workerData } from "node:worker_threads";
import { openCloudDb } from "../db/cloud-db.js";
import { type DbLoadParams, landAndMerge, readOperations } from "./db-operations.js";
import { seededRandom, weightedPicker } from "./scenario.js";

/*
 * One reader or writer of `loadtest db`, on its own thread and its own connection (as a separate API or
 * worker process would have). Closed loop: the next operation starts when the previous one ends, until
 * the deadline; each latency is kept, and the parent builds the histograms.
 */

export interface ThreadJob {
  role: "reader" | "writer";
  index: number;
  db: string;
  busyTimeoutMs: number;
  params: DbLoadParams;
  /** writers only */
  deviceId?: string;
  batchSize?: number;
}

/** Sent by the parent once every thread is ready, so thread start-up never eats into the measured time. */
export interface ThreadClock {
  /** epoch ms: operations end before `deadline`; those started before `measureFrom` are warm-up. */
  measureFrom: number;
  deadline: number;
}

export type ThreadMessage = { kind: "ready" } | { kind: "result"; result: ThreadResult };

export interface ThreadResult {
  latencies: Record<string, number[]>;
  errors: Record<string, number>;
  errorSamples: string[];
  observationsWritten: number;
}

const job = workerData as ThreadJob;
const result: ThreadResult = { latencies: {}, errors: {}, errorSamples: [], observationsWritten: 0 };
const db = await openCloudDb({ db: job.db, busyTimeoutMs: job.busyTimeoutMs });
const clock = await new Promise<ThreadClock>((resolve) => {
  parentPort!.once("message", resolve);
  parentPort!.postMessage({ kind: "ready" } satisfies ThreadMessage);
});

const record = (op: string, ms: number, startedAt: number) => {
  if (startedAt < clock.measureFrom) return;
  const kept = result.latencies[op] ?? [];
  kept.push(ms);
  result.latencies[op] = kept;
};
const fail = (op: string, error: unknown, startedAt: number) => {
  if (startedAt < clock.measureFrom) return;
  result.errors[op] = (result.errors[op] ?? 0) + 1;
  if (result.errorSamples.length < 5) result.errorSamples.push(`${op}: ${(error as Error).message}`);
};

try {
  if (job.role === "reader") await readLoop();
  else await writeLoop();
} finally {
  db.close();
}
parentPort!.postMessage({ kind: "result", result } satisfies ThreadMessage);

async function readLoop(): Promise<void> {
  const random = seededRandom(1000 + job.index);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const nextOperation = weightedPicker(readOperations(job.params));
  while (Date.now() < clock.deadline) {
    const op = nextOperation(random);
    const startedAt = Date.now();
    const t0 = performance.now();
    try {
      await op.run(db, pick);
      record(op.name, performance.now() - t0, startedAt);
    } catch (error) {
      fail(op.name, error, startedAt);
    }
  }
}

async function writeLoop(): Promise<void> {
  const center = job.params.points[job.index % Math.max(1, job.params.points.length)] ?? {
    lat: 51.5,
    lon: -0.12,
  };
  const runId = `loadtest-db-${process.pid}-${job.index}-${Date.now()}`;
  for (let batchSeq = 0; Date.now() < clock.deadline; batchSeq += 1) {
    const startedAt = Date.now();
    try {
      const inserted = await landAndMerge(
        db,
        { deviceId: job.deviceId!, runId, batchSeq, size: job.batchSize!, center },
        (op, ms) => record(op, ms, startedAt),
      );
      if (startedAt >= clock.measureFrom) result.observationsWritten += inserted;
    } catch (error) {
      fail("merge", error, startedAt);
    }
  }
}
