import { parentPort, workerData } from "node:worker_threads";
import type { Client, InStatement, ResultSet } from "@libsql/client";
import { openCloudDb } from "../db/cloud-db.js";
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
 * timings of the statements the request ran.
 */

const config = workerData as ReaderConfig;
const port = parentPort;
if (port === null) throw new Error("read-worker.js runs as a worker thread");

let timings: ReadTiming[] = [];
const encoder = new TextEncoder();
const sqlOf = (s: InStatement) => (typeof s === "string" ? s : s.sql);
const rowsOf = (rs: ResultSet) => (rs.rows.length > 0 ? rs.rows.length : rs.rowsAffected);

/** The connection with every execute() and batch() timed into `timings` (when the API keeps stats). */
function timed(client: Client): Client {
  const execute = (stmt: InStatement): Promise<ResultSet> => {
    const started = performance.now();
    return client.execute(stmt).then((rs) => {
      timings.push({
        sql: sqlOf(stmt),
        kind: "execute",
        ms: performance.now() - started,
        rows: rowsOf(rs),
        stmt,
      });
      return rs;
    });
  };
  const batch = (stmts: InStatement[], mode?: unknown): Promise<ResultSet[]> => {
    const started = performance.now();
    return client.batch(stmts, mode as never).then((results) => {
      let rows = 0;
      for (const rs of results) rows += rowsOf(rs);
      timings.push({
        sql: stmts.map(sqlOf).join("; "),
        kind: "batch",
        ms: performance.now() - started,
        rows,
      });
      return results;
    });
  };
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "execute") return execute;
      if (prop === "batch") return batch;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

let db: Client | undefined;
try {
  const opened = await openCloudDb({
    db: config.db,
    authToken: config.authToken,
    busyTimeoutMs: config.busyTimeoutMs,
  });
  db = config.timings ? timed(opened) : opened;
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
