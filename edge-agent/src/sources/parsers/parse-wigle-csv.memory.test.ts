import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, it } from "vitest";
import { parseWigleCsv } from "./parse-wigle-csv.js";

// A full collection before each reading makes the numbers measure what is retained, not garbage.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapAfterGc = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const ROWS = 200_000;

async function* generatedCsv(): AsyncGenerator<string> {
  yield "WigleWifi-1.6,appRelease=generated,model=test";
  yield "MAC,SSID,AuthMode,FirstSeen,Channel,Frequency,RSSI,CurrentLatitude,CurrentLongitude,AltitudeMeters,AccuracyMeters,RCOIs,MfgrId,Type";
  for (let i = 0; i < ROWS; i++) {
    const mac = (0x0011_2200_0000 + i)
      .toString(16)
      .padStart(12, "0")
      .replace(/(..)(?!$)/g, "$1:");
    yield `${mac},"net ${i}, with comma",[WPA2_PSK],2024-01-01 10:00:00,6,2437,-${40 + (i % 50)},51.${i},-0.1,10,5,,,WIFI`;
  }
}

it("streams 200k generated rows with bounded heap growth", async () => {
  const ctx = { capturedAt: Date.UTC(2024, 0, 2), now: Date.UTC(2024, 0, 2) };
  const before = heapAfterGc();
  let observations = 0;
  let peak = 0;
  for await (const event of parseWigleCsv(generatedCsv(), ctx)) {
    if (event.type !== "observation") continue;
    observations++;
    if (observations % 50_000 === 0) peak = Math.max(peak, heapAfterGc() - before);
  }
  expect(observations).toBe(ROWS);
  // Holding the rows would retain well over 60 MB (200k observations plus their strings); a streaming
  // parser holds one row at a time. The bound is generous so GC timing cannot make it flaky.
  expect(peak).toBeLessThan(16 * 1024 * 1024);
}, 60_000);
