import { fileURLToPath } from "node:url";
import {
  BatchedWriter,
  EdgeStore,
  FORMAT_SPECS,
  type Format,
  GpsTagger,
  parseEdgeConfig,
  tuningFromConfig,
} from "@piwardrive/edge-agent";
import type { GpsFixRecord, ObservationRecord } from "@piwardrive/shared-schema";

/** demo/data, from both src/ and dist/ (see demo/data/NOTICE.md for where each file comes from). */
export const DEMO_DATA_DIR = fileURLToPath(new URL("../data/", import.meta.url));

/** The GPS track (GlobalSat BU-353-S4 test log from gpsd) and the real scans re-dated along it. */
export const TRACK_FILE = "gpsd-testlog_bu353s4.log";
export const SCAN_FILES: ReadonlyArray<[string, Format]> = [
  ["jc_centos-7.7_iw-scan0.out", "iw"],
  ["jc_centos-7.7_iw-scan1.out", "iw"],
  ["node-wifi-scanner_iwlist01_ubuntu1404.txt", "iwlist"],
  ["node-wifi-scanner_iwlist02_raspi.txt", "iwlist"],
];

export interface Drive {
  fixes: GpsFixRecord[];
  /** One entry per scan file: the sightings it holds (undated: the drive gives them a time). */
  scans: ObservationRecord[][];
}

async function readEvents(file: string, format: Format, now: number) {
  const fixes: GpsFixRecord[] = [];
  const observations: ObservationRecord[] = [];
  for await (const e of FORMAT_SPECS[format].read(`${DEMO_DATA_DIR}${file}`, { capturedAt: now, now })) {
    if (e.type === "fix") fixes.push(e.fix);
    else if (e.type === "observation") observations.push(e.observation);
  }
  return { fixes, observations };
}

/** Loads the track (one fix per epoch, in time order) and the scans. */
export async function loadDrive(now = Date.now()): Promise<Drive> {
  const track = await readEvents(TRACK_FILE, "nmea", now);
  const byEpoch = new Map<number, GpsFixRecord>();
  for (const fix of track.fixes) byEpoch.set(fix.fixedAt, fix);
  const fixes = [...byEpoch.values()].sort((a, b) => a.fixedAt - b.fixedAt);
  const scans: ObservationRecord[][] = [];
  for (const [file, format] of SCAN_FILES) scans.push((await readEvents(file, format, now)).observations);
  if (fixes.length === 0 || scans.every((s) => s.length === 0)) throw new Error("demo data is empty");
  return { fixes, scans };
}

export interface DriveResult {
  runId: string;
  fixes: number;
  observations: number;
  tagged: number;
}

/**
 * Plays the drive into the edge database: the track is shifted to end now, and at each fix the next
 * scan (round-robin) is "taken": its sightings get the fix's time and go through the GPS tagger and the
 * BatchedWriter exactly as a live scan would. Each call is a new run (new run_id, new rows to sync).
 */
export async function driveInto(dbPath: string, drive: Drive, now = Date.now()): Promise<DriveResult> {
  const store = await EdgeStore.open({ path: dbPath, tuning: tuningFromConfig(parseEdgeConfig({})) });
  const writer = new BatchedWriter(store);
  const tagger = new GpsTagger();
  const shift = now - (drive.fixes.at(-1)?.fixedAt ?? now);
  let observations = 0;
  try {
    for (const [i, original] of drive.fixes.entries()) {
      const fix = { ...original, fixedAt: original.fixedAt + shift };
      tagger.addFix(fix);
      writer.writeFixes([fix]);
      const scan = drive.scans[i % drive.scans.length] ?? [];
      const sightings = scan.map((o) => tagger.tag({ ...o, seenAt: fix.fixedAt, lat: null, lon: null }));
      observations += await writer.write(sightings);
    }
    await writer.close();
  } finally {
    store.close();
  }
  return { runId: writer.runId, fixes: drive.fixes.length, observations, tagged: tagger.stats.tagged };
}
