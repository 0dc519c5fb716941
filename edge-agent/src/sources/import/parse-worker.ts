import { parentPort, workerData } from "node:worker_threads";
import { observationValues } from "@piwardrive/shared-schema/domain";
import { ReadProgress } from "../files/file-input.js";
import type { WorkerJob, WorkerMessage } from "./read-in-worker.js";
import { STREAMED_READERS } from "./streamed-formats.js";

/*
 * Worker side of readInWorker: runs one streamed reader and posts its events in JSON batches, a `record`
 * event as `0` and an observation as its `observationValues` array (read-in-worker.ts says why). Before
 * each batch it takes a credit from the shared counter, sleeping while there is none.
 */

const port = parentPort;
if (port === null) throw new Error("parse-worker.js runs as a worker thread");
const job = workerData as WorkerJob;
const credits = new Int32Array(job.credits);
const post = (message: WorkerMessage) => port.postMessage(message);

function send(events: unknown[], bytesRead: number): void {
  while (Atomics.load(credits, 0) <= 0) Atomics.wait(credits, 0, 0);
  Atomics.sub(credits, 0, 1);
  post({ kind: "events", json: JSON.stringify(events), bytesRead });
}

try {
  const progress = new ReadProgress();
  let batch: unknown[] = [];
  for await (const event of STREAMED_READERS[job.format](job.path, job.ctx, progress)) {
    batch.push(
      event.type === "record"
        ? 0
        : event.type === "observation"
          ? observationValues(event.observation)
          : event,
    );
    if (batch.length >= job.batchEvents) {
      send(batch, progress.bytesRead);
      batch = [];
    }
  }
  if (batch.length > 0) send(batch, progress.bytesRead);
  post({ kind: "done", bytesRead: progress.bytesRead });
} catch (error) {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  post({ kind: "error", name, message });
}
