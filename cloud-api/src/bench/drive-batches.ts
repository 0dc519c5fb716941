import type { WireObservation } from "@piwardrive/shared-schema/wire";
import { sighting, T0 } from "../test-support/batches.js";

/** Synthetic drives for the merge and heatmap benchmarks. */

const DAY = 86_400_000;

export interface DriveShape {
  /** Sightings per batch. */
  rows: number;
  /** Networks on the grid (a square of side sqrt(networks) x 55 m). */
  networks: number;
  /** Batches per UTC day (batch b is on day floor(b / perDay)). */
  perDay: number;
}

/** Networks sit on a grid ~55 m apart (5e-4 degrees) from (-33.8, 151.2). */
const STEP = 5e-4;
const hex = (v: number) => (v & 255).toString(16).padStart(2, "0");

/**
 * One drive: the car moves ~10 m per scan along a straight line (a different one per batch) and each scan
 * sees the networks within ~150 m (about 25 of them), each sighting placed at the car: an AP is seen ~30
 * times as the car passes, in 1 to 3 precision-7 cells.
 */
export function driveBatch(b: number, shape: DriveShape): WireObservation[] {
  const { rows, networks, perDay } = shape;
  const side = Math.ceil(Math.sqrt(networks));
  const out: WireObservation[] = [];
  const day = Math.floor(b / perDay);
  const heading = (b * 2.399) % (2 * Math.PI);
  const start = { x: ((b * 0.37) % 1) * side, y: ((b * 0.61) % 1) * side };
  for (let scan = 0; out.length < rows; scan++) {
    const d = scan * 0.18; // grid units: 0.18 * 55 m = 10 m
    const x = (((start.x + Math.cos(heading) * d) % side) + side) % side;
    const y = (((start.y + Math.sin(heading) * d) % side) + side) % side;
    for (let gx = Math.ceil(x - 2.7); gx <= x + 2.7 && out.length < rows; gx++) {
      for (let gy = Math.ceil(y - 2.7); gy <= y + 2.7 && out.length < rows; gy++) {
        if ((gx - x) ** 2 + (gy - y) ** 2 > 2.7 ** 2 || gx < 0 || gy < 0 || gx >= side || gy >= side)
          continue;
        const n = gy * side + gx;
        if (n >= networks) continue;
        const mac = `00:00:0c:${hex(n >> 16)}:${hex(n >> 8)}:${hex(n)}`;
        out.push(
          sighting(b * rows + out.length + 1, mac, {
            kind: n % 9 === 0 ? "ble" : "wifi",
            ssid: `net-${n}`,
            authMode: "WPA2",
            channel: 6,
            seenAt: T0 + day * DAY + (b % perDay) * 3_600_000 + scan * 1000,
            rssiDbm: -40 - ((n * 13 + scan) % 50),
            lat: -33.8 + y * STEP,
            lon: 151.2 + x * STEP,
          }),
        );
      }
    }
  }
  return out;
}
