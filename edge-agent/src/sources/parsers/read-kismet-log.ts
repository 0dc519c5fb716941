import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import type { Client } from "@libsql/client";
import { createClient } from "@libsql/client/sqlite3";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { parseKismetDevice } from "./parse-kismet-device.js";

/** Device rows read per query: a 100k-device log never sits in memory at once. */
const PAGE_ROWS = 256;
const decoder = new TextDecoder("utf-8");

export function looksLikeKismetLog(head: string): boolean {
  // A SQLite file; page 1 holds the schema, where Kismet's KISMET table (or its row) shows.
  return (
    head.startsWith("SQLite format 3\u0000") &&
    /CREATE TABLE KISMET|kismetlog|kismet\.device\.base/.test(head)
  );
}

/**
 * Reads a `.kismet` SQLite log (db_version 4 and later): metadata from the KISMET table, then each row of
 * `devices` as one record through `parseKismetDevice`. The file is opened on one connection with
 * `query_only` set, so nothing can write to it. A missing file throws (I/O); a file that is not a
 * Kismet log yields one record refused as `not_kismet_log` (or `unsupported_db_version` below 4).
 */
export async function* readKismetLog(path: string, ctx: ParseContext): AsyncGenerator<SourceEvent> {
  await access(path, constants.R_OK);
  let client: Client;
  try {
    // concurrency 1: the pragma below is per connection, and a pool could hand out a second one.
    client = createClient({ url: pathToFileURL(path).href, concurrency: 1 });
    await client.execute("PRAGMA query_only = ON");
  } catch (error) {
    yield* refuseLog("not_kismet_log", error);
    return;
  }
  try {
    let version: number;
    try {
      const meta = await client.execute("SELECT kismet_version, db_version, db_module FROM KISMET LIMIT 1");
      const row = meta.rows[0];
      version = Number(row?.db_version ?? Number.NaN);
      yield {
        type: "metadata",
        metadata: {
          format: "kismet",
          kismetVersion: String(row?.kismet_version ?? ""),
          dbVersion: String(row?.db_version ?? ""),
          dbModule: String(row?.db_module ?? ""),
        },
      };
    } catch (error) {
      yield* refuseLog("not_kismet_log", error);
      return;
    }
    if (!(version >= 4)) {
      yield* refuseLog("unsupported_db_version", String(version));
      return;
    }
    yield* deviceRows(client, ctx);
  } finally {
    client.close();
  }
}

async function* deviceRows(client: Client, ctx: ParseContext): AsyncGenerator<SourceEvent> {
  let after = -1;
  while (true) {
    const page = await client.execute({
      sql: "SELECT rowid AS id, device FROM devices WHERE rowid > ? ORDER BY rowid LIMIT ?",
      args: [after, PAGE_ROWS],
    });
    for (const row of page.rows) {
      after = Number(row.id);
      const json = parseDeviceColumn(row.device);
      if (json === undefined) {
        yield { type: "record" };
        yield { type: "reject", reason: "bad_json", line: after };
        continue;
      }
      yield* parseKismetDevice(json, ctx, after);
    }
    if (page.rows.length < PAGE_ROWS) return;
  }
}

/** The `device` column is JSON, stored as TEXT or as a BLOB depending on the Kismet version. */
function parseDeviceColumn(value: unknown): unknown {
  let text: string;
  if (typeof value === "string") text = value;
  else if (value instanceof ArrayBuffer) text = decoder.decode(new Uint8Array(value));
  else if (value instanceof Uint8Array) text = decoder.decode(value);
  else return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function* refuseLog(reason: string, error: unknown): Generator<SourceEvent> {
  yield { type: "record" };
  yield {
    type: "reject",
    reason,
    detail: error instanceof Error ? error.message.slice(0, 120) : String(error),
  };
}
