import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyObservation, type ObservationRecord } from "@piwardrive/shared-schema/domain";
import { EdgeStore } from "../store/edge-store.js";
import { type ProfileName, tuningFor } from "../store/tuning.js";

/** A real tuned store on a temp path; `cleanup()` closes it and removes the directory. */
export async function openTempStore(
  options: { profile?: ProfileName; synchronous?: "NORMAL" | "FULL"; slowQueryMs?: number } = {},
): Promise<{ store: EdgeStore; dir: string; path: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "pw-store-"));
  const path = join(dir, "edge.db");
  const store = await EdgeStore.open({
    path,
    tuning: tuningFor(options.profile ?? "medium", { synchronous: options.synchronous ?? "NORMAL" }),
    slowQueryMs: options.slowQueryMs ?? 0,
  });
  return {
    store,
    dir,
    path,
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A plausible Wi-Fi sighting; `i` varies the BSSID over `distinct` transmitters. */
export function sampleObservation(
  i: number,
  distinct = 50,
  overrides: Partial<ObservationRecord> = {},
): ObservationRecord {
  const n = i % distinct;
  const mac = `02:00:00:00:${((n >> 8) & 0xff).toString(16).padStart(2, "0")}:${(n & 0xff).toString(16).padStart(2, "0")}`;
  return {
    ...emptyObservation({ kind: "wifi", mac, seenAt: 1_750_000_000_000 + i * 100, source: "test" }),
    ssid: `net-${n}`,
    authMode: "WPA2",
    channel: 6,
    frequencyMhz: 2437,
    rssiDbm: -40 - (i % 50),
    lat: -33.8 + (i % 100) * 1e-5,
    lon: 151.2 + (i % 100) * 1e-5,
    ...overrides,
  };
}
