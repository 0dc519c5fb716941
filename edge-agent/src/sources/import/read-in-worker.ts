import { Worker } from "node:worker_threads";
import { observationFromValues } from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { ImportInputError, type ReadProgress } from "../files/file-input.js";
import type { StreamedFormat } from "./streamed-formats.js";

/*
 * A large file is parsed on a worker thread while the main thread writes: parsing (CSV, XML, checks) and
 * SQLite's inserts then run on two cores instead of taking turns on one. The events come back in JSON
 * batches (JSON.parse is the cheapest way to rebuild plain objects; structured clone costs twice as
 * much), each under V8's large-object size so it dies young. A `record` event travels as `0`, and an
 * observation as its values in OBSERVATION_SQL_COLUMNS order: parsing arrays and building the objects
 * from them took 1.5 us a sighting against 3.4 us for the objects themselves, and the text is 57 %
 * shorter (400 WiGLE sightings: 61 KB instead of 143 KB, which was over the large-object size). The main
 * thread rebuilds events and commits them to SQLite, so it is the import's bottleneck: this is its time.
 *
 * Flow control is a shared counter of batches the main thread will still take: the worker takes one per
 * batch and sleeps (Atomics.wait) at zero; the main thread gives one back per batch it starts on. No
 * message per batch goes back to the worker, and a parser faster than the database cannot run ahead.
 */

/** Files from this size up are parsed on a worker thread; smaller ones are done before one would start. */
export const WORKER_MIN_BYTES = 8 * 1024 * 1024;
/** Events per message: about 200 WiGLE rows, some 50 KB of JSON. */
const BATCH_EVENTS = 400;
/** Batches in flight: enough to keep both threads busy, few enough to bound memory. */
const CREDITS = 8;
/** The parser thread's V8 heap, MiB: ~10 MiB of code and live data; uncapped, V8 lets garbage grow to ~60. */
const WORKER_HEAP_LIMITS = { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 12 };

const RECORD: SourceEvent = Object.freeze({ type: "record" });

export interface WorkerJob {
  format: StreamedFormat;
  path: string;
  ctx: ParseContext;
  batchEvents: number;
  /** One Int32: batches the main thread will still take. */
  credits: SharedArrayBuffer;
}

/** An event as the worker sends it: `0` for a record, an observation's values, or the event itself. */
type WireEvent = 0 | (string | number | null)[] | SourceEvent;

export type WorkerMessage =
  | { kind: "events"; json: string; bytesRead: number }
  | { kind: "done"; bytesRead: number }
  | { kind: "error"; name: string; message: string };

/**
 * A message's events, each built as it is taken, so that a batch's 400 sightings are not all alive across
 * the writer's flush. (Built all at once, the CLI's peak RSS on a 1,000,000-row import was ~170 instead of
 * ~128 MB in 4 of 6 runs, one by one in 3 of 8; the rest of that was the importer's Set of queued rows,
 * replaced by QueuedRows: since then 8 of 8 runs at 123-128 MB. docs/benchmarks.md, import.)
 */
function* fromWire(events: WireEvent[]): Generator<SourceEvent> {
  for (const event of events) {
    if (event === 0) yield RECORD;
    else if (Array.isArray(event)) yield { type: "observation", observation: observationFromValues(event) };
    else yield event;
  }
}

/**
 * The events of STREAMED_READERS[format](path, ctx), read on a worker thread, in the same order, a batch
 * (one message, BATCH_EVENTS events) at a time. The thread's heap is capped: a streamed parser's working
 * set is small, and garbage must not pile up there.
 */
export async function* readInWorker(
  format: StreamedFormat,
  path: string,
  ctx: ParseContext,
  progress?: ReadProgress,
): AsyncGenerator<Iterable<SourceEvent>> {
  const credits = new Int32Array(new SharedArrayBuffer(4));
  credits[0] = CREDITS;
  const job: WorkerJob = { format, path, ctx, batchEvents: BATCH_EVENTS, credits: credits.buffer };
  const worker = new Worker(new URL("./parse-worker.js", import.meta.url), {
    workerData: job,
    resourceLimits: WORKER_HEAP_LIMITS,
  });
  const inbox: WorkerMessage[] = [];
  let failure: Error | null = null;
  let notify: (() => void) | null = null;
  const arrived = () => {
    notify?.();
    notify = null;
  };
  worker.on("message", (message: WorkerMessage) => {
    inbox.push(message);
    arrived();
  });
  worker.on("error", (error) => {
    failure = error;
    arrived();
  });
  worker.on("exit", (code) => {
    failure ??= new Error(`the parser thread stopped (exit code ${code}) before the end of ${path}`);
    arrived();
  });
  try {
    while (true) {
      const message = inbox.shift();
      if (message === undefined) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (notify = resolve));
        continue;
      }
      if (message.kind === "error") {
        throw message.name === "ImportInputError"
          ? new ImportInputError(message.message)
          : new Error(message.message);
      }
      progress?.set(message.bytesRead);
      if (message.kind === "done") return;
      Atomics.add(credits, 0, 1);
      Atomics.notify(credits, 0);
      yield fromWire(JSON.parse(message.json) as WireEvent[]);
    }
  } finally {
    worker.removeAllListeners();
    // Wake a worker asleep for want of credits, so that it can be terminated.
    Atomics.store(credits, 0, 1 << 30);
    Atomics.notify(credits, 0);
    await worker.terminate();
  }
}
