import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, describe, expect, it } from "vitest";
import { EventTally } from "../../events/event-tally.js";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { fixturePath, readFixture } from "../../test-support/fixtures.js";
import { looksLikeKismetLog, readKismetLog } from "./read-kismet-log.js";

const LOG = "kismet/kismet-2018.08.BETA1_dbv4_rtlamr_Kismet-20181205-15-11-12-1.kismet";
const ctx: ParseContext = { capturedAt: Date.UTC(2024, 0, 1), now: Date.UTC(2024, 0, 1) };
const dir = mkdtempSync(join(tmpdir(), "kismet-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(events: AsyncIterable<SourceEvent>) {
  const out: SourceEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** A Wi-Fi AP built on the real extracted device record's keys (the fixtures hold no Wi-Fi device). */
function accessPoint(i: number): Record<string, unknown> {
  const real = JSON.parse(
    readFixture("kismet/kismet-2018.08.BETA1_device-record_rtladsb_extracted-from-devices-blob.json"),
  );
  const mac = `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}`;
  return {
    ...real,
    "kismet.device.base.phyname": "IEEE802.11",
    "kismet.device.base.type": "Wi-Fi AP",
    "kismet.device.base.macaddr": mac.toUpperCase(),
    "kismet.device.base.frequency": 2412000,
    "kismet.device.base.last_time": 1700000000 + i,
    "dot11.device": { "dot11.device.last_beaconed_ssid_record": { "dot11.advertisedssid.ssid": `net-${i}` } },
  };
}

/** A log with the schema newer Kismet writes (db_version 8): KISMET and devices tables. */
async function writeLog(
  name: string,
  dbVersion: number,
  devices: Array<string | Uint8Array>,
): Promise<string> {
  const path = join(dir, name);
  const db = createClient({ url: `file:${path}` });
  await db.execute("CREATE TABLE KISMET (kismet_version TEXT, db_version INT, db_module TEXT)");
  await db.execute({ sql: "INSERT INTO KISMET VALUES ('2023-07-R1', ?, 'kismetlog')", args: [dbVersion] });
  await db.execute(
    "CREATE TABLE devices (first_time INT, last_time INT, devkey TEXT, phyname TEXT, devmac TEXT, device BLOB)",
  );
  await db.batch(
    devices.map((device) => ({ sql: "INSERT INTO devices (device) VALUES (?)", args: [device] })),
  );
  db.close();
  return path;
}

describe("readKismetLog on the 2018 db_version 4 fixture (one RTLAMR meter)", () => {
  it("imports 0 Wi-Fi networks without failing: one record, refused as unsupported_phy", async () => {
    const tally = await EventTally.of(readKismetLog(fixturePath(LOG), ctx));
    // PROVENANCE: 1 device (an RTLAMR power meter), no Wi-Fi device.
    expect(tally.records).toBe(1);
    expect(tally.observations).toBe(0);
    expect(tally.reasons).toEqual({ unsupported_phy: 1 });
    expect(tally.metadata).toEqual([
      { format: "kismet", kismetVersion: "2018.08.BETA1", dbVersion: "4", dbModule: "kismetlog" },
    ]);
  });

  it("leaves the fixture untouched: same bytes, no journal files beside it", async () => {
    const path = fixturePath(LOG);
    const before = sha256(path);
    const siblings = () => readdirSync(dirname(path)).filter((f) => f.startsWith(basename(path)));
    await collect(readKismetLog(path, ctx));
    expect(sha256(path)).toBe(before);
    expect(siblings()).toEqual([basename(path)]);
  });
});

describe("readKismetLog on generated logs", () => {
  it("pages through many devices, TEXT and BLOB columns alike, and refuses broken JSON", async () => {
    const rows: Array<string | Uint8Array> = Array.from({ length: 600 }, (_, i) =>
      JSON.stringify(accessPoint(i)),
    );
    rows.push(new TextEncoder().encode(JSON.stringify(accessPoint(600))), "{not json");
    const path = await writeLog("v8.kismet", 8, rows);
    const events = await collect(readKismetLog(path, ctx));
    const tally = await EventTally.of(events);
    expect(tally.records).toBe(602);
    expect(tally.observations).toBe(601);
    expect(tally.reasons).toEqual({ bad_json: 1 });
    const last = events.filter((e) => e.type === "observation").at(-1);
    expect(last).toMatchObject({ observation: { ssid: "net-600", mac: "02:00:00:00:02:58", channel: 1 } });
  });

  it("refuses a log below db_version 4 and a file that is not a Kismet log, as one record each", async () => {
    const v3 = await writeLog("v3.kismet", 3, [JSON.stringify(accessPoint(1))]);
    expect((await EventTally.of(readKismetLog(v3, ctx))).reasons).toEqual({ unsupported_db_version: 1 });
    const other = join(dir, "other.sqlite");
    const db = createClient({ url: `file:${other}` });
    await db.execute("CREATE TABLE t (x)");
    db.close();
    const garbage = join(dir, "garbage.kismet");
    writeFileSync(garbage, "this is not sqlite at all\n".repeat(100));
    for (const path of [other, garbage]) {
      const tally = await EventTally.of(readKismetLog(path, ctx));
      expect([tally.records, tally.reasons]).toEqual([1, { not_kismet_log: 1 }]);
    }
  });

  it("throws on a missing file (I/O) without creating it", async () => {
    const missing = join(dir, "missing.kismet");
    await expect(collect(readKismetLog(missing, ctx))).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).not.toContain("missing.kismet");
  });
});

describe("looksLikeKismetLog", () => {
  it("claims the .kismet fixture from its first 4 KB and not another SQLite file", async () => {
    const head = readFileSync(fixturePath(LOG)).subarray(0, 4096).toString("latin1");
    expect(looksLikeKismetLog(head)).toBe(true);
    const other = join(dir, "plain.sqlite");
    const db = createClient({ url: `file:${other}` });
    await db.execute("CREATE TABLE t (x)");
    db.close();
    expect(looksLikeKismetLog(readFileSync(other).subarray(0, 4096).toString("latin1"))).toBe(false);
  });
});
