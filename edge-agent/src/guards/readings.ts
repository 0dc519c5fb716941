import { readFile, statfs } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import si from "systeminformation";

/** One look at the machine. Sizes in MB (as health_samples stores them); null = not available here. */
export interface Readings {
  /** ms since the epoch. */
  at: number;
  rssMb: number | null;
  availableMemMb: number | null;
  /** Free space on the filesystem that holds the database, as an unprivileged writer sees it. */
  diskFreeMb: number | null;
  socTempC: number | null;
  /** p99 event-loop delay since the previous reading. */
  eventLoopP99Ms: number | null;
}

/** Where the guards get readings from: the machine in production, a plain object in tests. */
export interface ReadingsSource {
  read(): Promise<Readings>;
  close(): void;
}

export interface SystemReadingsOptions {
  dbPath: string;
  /** The Raspberry Pi's SoC sensor (millidegrees C). */
  thermalZonePath?: string;
  clock?: () => number;
}

const MIB = 1024 * 1024;

/**
 * Real readings. Disk comes from statfs on the database's own directory rather than si.fsSize: it is
 * exact (no mount-prefix matching, right through bind mounts and symlinks) and does not spawn `df` every
 * tick. Temperature comes from the thermal zone file; si.cpuTemperature (which shells out synchronously
 * on Linux) is asked only when that file is missing, and never again once it has said "unknown".
 */
export class SystemReadings implements ReadingsSource {
  #dbDir: string;
  #thermalZonePath: string;
  #clock: () => number;
  #loop: IntervalHistogram;
  #siTemperature: "unprobed" | "works" | "unavailable" = "unprobed";

  constructor(options: SystemReadingsOptions) {
    this.#dbDir = dirname(resolve(options.dbPath));
    this.#thermalZonePath = options.thermalZonePath ?? "/sys/class/thermal/thermal_zone0/temp";
    this.#clock = options.clock ?? Date.now;
    this.#loop = monitorEventLoopDelay({ resolution: 20 });
    this.#loop.enable();
  }

  async read(): Promise<Readings> {
    const [availableMemMb, diskFreeMb, socTempC] = await Promise.all([
      this.#availableMemMb(),
      this.#diskFreeMb(),
      this.#socTempC(),
    ]);
    // The histogram covers the window since the last reading; reset so each tick reports its own window.
    const eventLoopP99Ms = this.#loop.count > 0 ? this.#loop.percentile(99) / 1e6 : null;
    this.#loop.reset();
    return {
      at: this.#clock(),
      rssMb: process.memoryUsage.rss() / MIB,
      availableMemMb,
      diskFreeMb,
      socTempC,
      eventLoopP99Ms,
    };
  }

  close(): void {
    this.#loop.disable();
  }

  async #availableMemMb(): Promise<number | null> {
    try {
      const mem = await si.mem();
      return Number.isFinite(mem.available) && mem.available > 0 ? mem.available / MIB : null;
    } catch {
      return null;
    }
  }

  async #diskFreeMb(): Promise<number | null> {
    try {
      const fs = await statfs(this.#dbDir);
      return (fs.bavail * fs.bsize) / MIB;
    } catch {
      return null;
    }
  }

  async #socTempC(): Promise<number | null> {
    try {
      const milli = Number((await readFile(this.#thermalZonePath, "utf8")).trim());
      if (Number.isFinite(milli)) return milli / 1000;
    } catch {
      // not a Pi (or no thermal zone): fall through to systeminformation
    }
    if (this.#siTemperature === "unavailable") return null;
    const t = await si.cpuTemperature().catch(() => null);
    const main = plausibleCelsius(t?.main);
    this.#siTemperature = main === null && this.#siTemperature === "unprobed" ? "unavailable" : "works";
    return main;
  }
}

/** systeminformation reports null or -1 when it does not know. */
function plausibleCelsius(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) && value > -50 && value < 150 ? value : null;
}
