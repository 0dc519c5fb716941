import type { Client } from "@libsql/client";
import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { landBatch } from "../services/land-batch.js";
import { mergeBatch } from "../services/merge-batch.js";
import { makeBatch, manySightings, T0 } from "../test-support/batches.js";
import { openTempDb } from "../test-support/test-cloud.js";
import { EVERYTHING } from "./export-query.js";
import { exportStream } from "./export-stream.js";

let db: Client;
let cleanup: () => void;
beforeEach(async () => {
  ({ db, cleanup } = await openTempDb());
  const batch = makeBatch({ deviceId: "dev-a" }, manySightings(1000, 1, 50));
  const encoded = await encodeDeltaBatch(batch);
  await landBatch(db, { batch, payload: encoded.body, contentEncoding: "gzip", receivedAt: T0 });
  await mergeBatch({ db, key: { deviceId: "dev-a", runId: batch.runId, batchSeq: 0 } });
});
afterEach(() => cleanup());

/** The real client, counting the statements it is asked to run. */
function counting(client: Client): { db: Client; reads: () => number } {
  let reads = 0;
  const db = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "execute") {
        return (...args: Parameters<Client["execute"]>) => {
          reads += 1;
          return target.execute(...args);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  return { db, reads: () => reads };
}

describe("exportStream", () => {
  it("reads the next page only when the reader asks for it (back-pressure, bounded memory)", async () => {
    const probe = counting(db);
    const file = exportStream({
      db: probe.db,
      what: "observations",
      format: "csv",
      filters: EVERYTHING,
      options: { placement: "estimate" },
      pageRows: 10,
    });
    const reader = file.body.getReader();
    await reader.read(); // the head
    await reader.read(); // page 1
    await new Promise((r) => setTimeout(r, 50));
    // 100 pages exist; a stalled reader holds at most the page read plus the one queued ahead
    expect(probe.reads()).toBeLessThanOrEqual(2);
    let lines = 0;
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      lines += new TextDecoder().decode(chunk.value).split("\n").length - 1;
    }
    expect(lines).toBe(1000 - 10);
    expect(probe.reads()).toBe(101);
  });

  it("stops reading when the reader cancels", async () => {
    const probe = counting(db);
    const file = exportStream({
      db: probe.db,
      what: "networks",
      format: "geojson",
      filters: EVERYTHING,
      options: { placement: "estimate" },
      pageRows: 5,
    });
    const reader = file.body.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    const after = probe.reads();
    await new Promise((r) => setTimeout(r, 50));
    expect(probe.reads()).toBe(after);
    expect(after).toBeLessThan(10);
  });
});
