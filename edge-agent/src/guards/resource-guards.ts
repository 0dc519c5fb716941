import type { BatchedWriter } from "../store/batched-writer.js";
import type { EdgeStore } from "../store/edge-store.js";
import type { DiskRelief, Maintenance } from "../store/maintenance.js";
import {
  CALM_DECISIONS,
  decideGuards,
  type GuardConfig,
  type GuardDecisions,
  type MemoryPressure,
} from "./guard-policy.js";
import type { Readings, ReadingsSource } from "./readings.js";

/** The writer's refusal reason while the disk is below the floor. */
export const DISK_FLOOR_REFUSAL = "disk_floor";

export interface ResourceGuardsOptions {
  store: EdgeStore;
  writer: BatchedWriter;
  readings: ReadingsSource;
  config: GuardConfig;
  /** Frees space below the disk floor; without it the guards only refuse new observations. */
  maintenance?: Pick<Maintenance, "relieveDisk">;
  /** Called when the scan interval multiplier changes (the live scanner stretches its interval by it). */
  onCadence?: (multiplier: number) => void;
  onError?: (error: unknown) => void;
}

/** What is in force right now, as a result of the decisions. */
export interface GuardActions {
  maxBatchRows: number;
  cacheSizeKib: number;
  refusing: string | null;
  scanIntervalMultiplier: number;
  lastDiskRelief: DiskRelief | null;
}

export interface GuardsState {
  decisions: GuardDecisions;
  actions: GuardActions;
  readings: Readings | null;
  ticks: number;
  lastError: string | null;
}

/**
 * Acts on the guard decisions (decision 9): memory pressure shrinks the writer's batches and SQLite's
 * page cache, low disk refuses new observations and prunes acknowledged rows, heat or event-loop lag
 * slows the scan cadence. Each tick reconciles what is in force with what was decided, undoes actions
 * whose cause has gone, and writes a health_samples row so `status` (another process) can show it all.
 */
export class ResourceGuards {
  #o: ResourceGuardsOptions;
  #decisions: GuardDecisions = CALM_DECISIONS;
  #readings: Readings | null = null;
  #memory: MemoryPressure = "none";
  /** The writer's batch size before pressure began, restored when it ends. */
  #normalBatchRows: number | null = null;
  #multiplier = 1;
  #lastRelief: DiskRelief | null = null;
  #ticks = 0;
  #lastError: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<GuardsState> | null = null;

  constructor(options: ResourceGuardsOptions) {
    this.#o = options;
  }

  get scanIntervalMultiplier(): number {
    return this.#multiplier;
  }

  state(): GuardsState {
    return {
      decisions: this.#decisions,
      actions: {
        maxBatchRows: this.#o.writer.maxBatchRows,
        cacheSizeKib: this.#o.store.effectiveTuning.cacheSizeKib,
        refusing: this.#o.writer.refusal,
        scanIntervalMultiplier: this.#multiplier,
        lastDiskRelief: this.#lastRelief,
      },
      readings: this.#readings,
      ticks: this.#ticks,
      lastError: this.#lastError,
    };
  }

  /** Reads, decides, acts and records once. Overlapping calls share the tick in progress. */
  tick(): Promise<GuardsState> {
    this.#running ??= this.#tick().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  start(intervalMs: number): void {
    if (this.#timer) return;
    const run = () => {
      this.tick().catch((error: unknown) => this.#o.onError?.(error));
    };
    run();
    this.#timer = setInterval(run, intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  async #tick(): Promise<GuardsState> {
    const readings = await this.#o.readings.read();
    this.#readings = readings;
    this.#decisions = decideGuards(readings, this.#o.config, this.#decisions);
    this.#ticks += 1;
    try {
      await this.#applyMemory(this.#decisions.memory.level);
      await this.#applyDisk(this.#decisions.disk.belowFloor);
      this.#applyCadence(this.#decisions.scanIntervalMultiplier);
      this.#lastError = null;
    } catch (error) {
      // Keep going: the sample below records the error, and the next tick reconciles again.
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#o.onError?.(error);
    }
    await this.#sample(readings);
    return this.state();
  }

  async #applyMemory(level: MemoryPressure): Promise<void> {
    if (level === this.#memory) return;
    const { writer, store, config } = this.#o;
    if (level === "none") {
      if (this.#normalBatchRows !== null) writer.setMaxBatchRows(this.#normalBatchRows);
      this.#normalBatchRows = null;
      await store.setCacheSizeOverride(null);
    } else {
      this.#normalBatchRows ??= writer.maxBatchRows;
      const rows = level === "critical" ? config.criticalBatchRows : config.moderateBatchRows;
      const kib = level === "critical" ? config.criticalCacheKib : config.moderateCacheKib;
      writer.setMaxBatchRows(Math.min(this.#normalBatchRows, rows));
      await store.setCacheSizeOverride(Math.min(store.tuning.cacheSizeKib, kib));
      // Give the freed cache pages back to the allocator now rather than on the next eviction.
      await store.execute("PRAGMA shrink_memory");
    }
    this.#memory = level;
  }

  async #applyDisk(belowFloor: boolean): Promise<void> {
    const { writer, maintenance } = this.#o;
    if (!belowFloor) {
      if (writer.refusal === DISK_FLOOR_REFUSAL) writer.setRefusal(null);
      return;
    }
    if (writer.refusal === null) writer.setRefusal(DISK_FLOOR_REFUSAL);
    // Every tick below the floor: sync may have acknowledged more since the last one.
    if (maintenance) this.#lastRelief = await maintenance.relieveDisk();
  }

  #applyCadence(multiplier: number): void {
    if (multiplier === this.#multiplier) return;
    this.#multiplier = multiplier;
    this.#o.onCadence?.(multiplier);
  }

  async #sample(r: Readings): Promise<void> {
    const { decisions, actions, lastError } = this.state();
    const guards = { ...decisions, actions, lastError, writer: this.#o.writer.stats };
    try {
      await this.#o.store.execute({
        sql: `INSERT INTO health_samples (sampled_at, rss_mb, available_mem_mb, disk_free_mb, soc_temp_c,
          event_loop_lag_ms, writer_queue_depth, guards) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [
          r.at,
          r.rssMb,
          r.availableMemMb,
          r.diskFreeMb,
          r.socTempC,
          r.eventLoopP99Ms,
          this.#o.writer.stats.queued,
          JSON.stringify(guards),
        ],
      });
    } catch (error) {
      // A full disk can refuse the sample itself; that must not stop the guards from acting.
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#o.onError?.(error);
    }
  }
}
