import { parentPort, workerData } from "node:worker_threads";
import { ReadProgress } from "./file-input.js";
import type { WorkerJob, WorkerMessage } from "./read-in-worker.js";
import { STREAMED_READERS } from "./streamed-formats.js";

/*
 * Worker side of readInWorker: runs one format reader and posts its events in JSON batches. At most
 * `credits` batches are in flight; the main thread hands a credit back per batch it takes, so a parser
 * faster than the database waits here instead of filling memory.
 */

const port = parentPort;
if (port === null) throw new Error("parse-worker.js runs as a worker thread");
const job = workerData as WorkerJob;

let credits = job.credits;
let wake: (() => void) | null = null;
port.on("message", () => {
  credits++;
  wake?.();
  wake = null;
});
const post = (message: WorkerMessage) => port.postMessage(message);

async function send(events: unknown[], bytesRead: number): Promise<void> {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
  credits--;
  post({ kind: "events", json: JSON.stringify(events), bytesRead });
}

try {
  const progress = new ReadProgress();
  let batch: unknown[] = [];
  for await (const event of STREAMED_READERS[job.format](job.path, job.ctx, progress)) {
    batch.push(event);
    if (batch.length >= job.batchEvents) {
      await send(batch, progress.bytesRead);
      batch = [];
    }
  }
  if (batch.length > 0) await send(batch, progress.bytesRead);
  post({ kind: "done", bytesRead: progress.bytesRead });
} catch (error) {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  post({ kind: "error", name, message });
} finally {
  // The credit listener must not keep the thread alive once everything is posted.
  port.unref();
}
