import { parentPort, workerData } from "node:worker_threads";
import type { Client } from "@libsql/client";
import { openCloudDb } from "../db/cloud-db.js";
import { measureStatements, type StatementRecorder } from "../db/statement-stats.js";
import { READ_OPERATIONS } from "./read-operations.js";
import {
  errorReply,
  type ReaderConfig,
  type ReadReply,
  type ReadRequest,
  type ReadTiming,
} from "./read-pool.js";

/*
 * A reader thread of ReadPool: its own connection (tuned like the API's), the READ_OPERATIONS, one
 * request at a time in the order they come (a libSQL call is synchronous anyway). Each reply carries the
 * timings of the statements the request ran (measureStatements, the API's own timing wrapper).
 */

const config = workerData as ReaderConfig;
const port = parentPort;
if (port === null) throw new Error("read-worker.js runs as a worker thread");

let timings: ReadTiming[] = [];
const encoder = new TextEncoder();

/** Timings for the API's StatementStats; a statement's arguments only when it was slow (for its plan). */
const recorder: StatementRecorder = {
  record(sql, kind, ms, rows, _planner, stmt) {
    timings.push(
      stmt !== undefined && ms >= (config.slowMs ?? Number.POSITIVE_INFINITY)
        ? { sql, kind, ms, rows, stmt }
        : { sql, kind, ms, rows },
    );
  },
};

let db: Client | undefined;
try {
  const opened = await openCloudDb({
    db: config.db,
    authToken: config.authToken,
    busyTimeoutMs: config.busyTimeoutMs,
  });
  db = config.slowMs === undefined ? opened : measureStatements(opened, recorder);
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  port.close();
}

port.on("message", async (request: ReadRequest) => {
  timings = [];
  let reply: ReadReply;
  try {
    const op = READ_OPERATIONS[request.name] as (db: Client, ...args: unknown[]) => Promise<unknown>;
    if (db === undefined) throw new Error("the reader has no connection");
    const value = await op(db, ...request.args);
    if (request.json) {
      const bytes = encoder.encode(JSON.stringify(value));
      port.postMessage({ id: request.id, ok: true, value: bytes, timings } satisfies ReadReply, [
        bytes.buffer,
      ]);
      return;
    }
    reply = { id: request.id, ok: true, value, timings };
  } catch (error) {
    reply = { id: request.id, ok: false, error: errorReply(error), timings };
  }
  port.postMessage(reply);
});
