import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { ObservationRecord } from "@piwardrive/shared-schema";
import { type DeltaBatch, encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { inChunks } from "./synthetic-observations.js";

/** The edge's outbox batch size (OutboxReader's default maxRows). */
export const EDGE_BATCH_ROWS = 5_000;

/** Cuts observations into DeltaBatches as the outbox does: consecutive seqs, one batch counter per run. */
export function* edgeBatches(
  observations: Iterable<ObservationRecord>,
  ids: { deviceId: string; runId: string },
  rows = EDGE_BATCH_ROWS,
): Generator<DeltaBatch> {
  let seq = 0;
  let batchSeq = 0;
  for (const chunk of inChunks(observations, rows)) {
    const firstSeq = seq + 1;
    const wire = chunk.map((o) => ({ ...o, seq: ++seq }));
    yield {
      version: 1,
      ...ids,
      batchSeq: ++batchSeq,
      firstSeq,
      lastSeq: seq,
      observations: wire,
      gpsTrack: [],
      health: [],
    };
  }
}

/** Compressed bytes on the wire for these observations, batched and encoded as the edge does (gzip). */
export async function wireBytes(observations: Iterable<ObservationRecord>): Promise<number> {
  let total = 0;
  for (const batch of edgeBatches(observations, { deviceId: "bench", runId: "bench-run" })) {
    total += (await encodeDeltaBatch(batch)).body.byteLength;
  }
  return total;
}

const PRE_HEADER =
  "WigleWifi-1.4,appRelease=2.25,model=bench,release=1,device=piwardrive-bench,display=none,board=none,brand=PiWardrive";
const HEADER =
  "MAC,SSID,AuthMode,FirstSeen,Channel,RSSI,CurrentLatitude,CurrentLongitude,AltitudeMeters,AccuracyMeters,Type";

const csvField = (s: string | null) => {
  const v = s ?? "";
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
};
const wigleTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

export function wigleRow(o: ObservationRecord): string {
  return [
    o.mac,
    csvField(o.ssid),
    csvField(o.authMode === null ? "" : `[${o.authMode}]`),
    wigleTime(o.seenAt),
    o.channel ?? "",
    o.rssiDbm ?? "",
    o.lat?.toFixed(8) ?? "",
    o.lon?.toFixed(8) ?? "",
    o.altitudeM?.toFixed(1) ?? "",
    o.accuracyM?.toFixed(1) ?? "",
    o.kind === "wifi" ? "WIFI" : o.kind.toUpperCase(),
  ].join(",");
}

/**
 * Size of the same observations as a WiGLE 1.4 CSV compressed by the real `gzip -9`: the CSV is piped
 * through the gzip binary and only the compressed bytes are counted.
 */
export async function gzipCsvBytes(observations: Iterable<ObservationRecord>, keepCsvAt?: string) {
  const gzip = spawn("gzip", ["-9", "-c"], { stdio: ["pipe", "pipe", "inherit"] });
  let compressed = 0;
  gzip.stdout.on("data", (d: Buffer) => {
    compressed += d.byteLength;
  });
  const copy = keepCsvAt ? createWriteStream(keepCsvAt) : null;
  let csvBytes = 0;
  const write = async (text: string) => {
    csvBytes += Buffer.byteLength(text);
    copy?.write(text);
    if (!gzip.stdin.write(text)) await once(gzip.stdin, "drain");
  };
  await write(`${PRE_HEADER}\n${HEADER}\n`);
  for (const chunk of inChunks(observations, 1000)) await write(`${chunk.map(wigleRow).join("\n")}\n`);
  gzip.stdin.end();
  copy?.end();
  const [code] = (await once(gzip, "close")) as [number | null];
  if (code !== 0) throw new Error(`gzip -9 exited ${code}`);
  return { csvBytes, gzipBytes: compressed };
}
