import type { EdgeStore } from "./edge-store.js";
import { checkpointWal, fileBytes, incrementalVacuum, spaceStats } from "./file-space.js";
import { type Bound, pruneAcknowledged, trimDiagnostics } from "./retention.js";

const DAY_MS = 24 * 3600 * 1000;

/** What the maintenance job keeps and when it acts; parsed from the environment in env.ts. */
export interface MaintenancePolicy {
  /** Acknowledged observations seen longer ago than this are deleted. */
  retentionDays: number;
  slowQueries: Bound;
  healthSamples: Bound;
  /** Incremental vacuum runs once freelist_count / page_count passes this share. */
  vacuumFreelistRatio: number;
  /** Pages handed back per run, so one run stays short on an SD card. */
  vacuumStepPages: number;
  /** The WAL is checkpointed and truncated once it is larger than this. */
  walCheckpointBytes: number;
}

export interface MaintenanceReport {
  startedAt: number;
  durationMs: number;
  /** ANALYZE ran because the database had no statistics yet; PRAGMA optimize runs every time. */
  analyzed: boolean;
  pragmasReapplied: boolean;
  ackedSeq: number | null;
  pruned: { observations: number; slowQueries: number; healthSamples: number };
  vacuum: {
    ran: boolean;
    pagesFreed: number;
    freelistBefore: number;
    freelistAfter: number;
    pageCount: number;
  };
  wal: { bytesBefore: number; checkpointed: boolean; bytesAfter: number };
}

/** What an emergency (the disk floor) freed. */
export interface DiskRelief {
  prunedObservations: number;
  pagesFreed: number;
  walBytesAfter: number;
}

export interface MaintenanceOptions {
  clock?: () => number;
  onReport?: (report: MaintenanceReport) => void;
  onError?: (error: unknown) => void;
}

/**
 * Keeps the edge database fast and bounded: statistics for the planner, retention of acknowledged rows,
 * bounded diagnostic tables, free pages handed back, the WAL kept small and the pragmas re-verified.
 * Runs are serialised, so the schedule and a guard's `relieveDisk()` never interleave.
 */
export class Maintenance {
  #store: EdgeStore;
  #policy: MaintenancePolicy;
  #clock: () => number;
  #onReport: ((r: MaintenanceReport) => void) | undefined;
  #onError: ((e: unknown) => void) | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #lastReport: MaintenanceReport | null = null;

  constructor(store: EdgeStore, policy: MaintenancePolicy, options: MaintenanceOptions = {}) {
    this.#store = store;
    this.#policy = policy;
    this.#clock = options.clock ?? Date.now;
    this.#onReport = options.onReport;
    this.#onError = options.onError;
  }

  get lastReport(): MaintenanceReport | null {
    return this.#lastReport;
  }

  runOnce(): Promise<MaintenanceReport> {
    return this.#exclusive(() => this.#run());
  }

  /**
   * Below the disk floor: delete every acknowledged observation whatever its age (it is safe in the cloud),
   * give all free pages back and truncate the WAL, so SQLite never reaches SQLITE_FULL.
   */
  relieveDisk(): Promise<DiskRelief> {
    return this.#exclusive(async () => {
      const pruned = await pruneAcknowledged(this.#store, Number.MAX_SAFE_INTEGER);
      const pagesFreed = await incrementalVacuum(this.#store);
      await checkpointWal(this.#store);
      return { prunedObservations: pruned.deleted, pagesFreed, walBytesAfter: this.#walBytes() };
    });
  }

  /** Runs now and then every `intervalMs`; errors go to `onError` and the schedule carries on. */
  start(intervalMs: number): void {
    if (this.#timer) return;
    const tick = () => {
      this.runOnce().then(this.#onReport, (error: unknown) => this.#onError?.(error));
    };
    tick();
    this.#timer = setInterval(tick, intervalMs);
    this.#timer.unref();
  }

  /** Stops the schedule and waits for a run in progress to finish. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#tail.catch(() => undefined);
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#tail.catch(() => undefined).then(work);
    this.#tail = run;
    return run;
  }

  async #run(): Promise<MaintenanceReport> {
    const startedAt = this.#clock();
    const store = this.#store;
    const { reapplied } = await store.ensurePragmas();

    // analysis_limit keeps ANALYZE/optimize to a sample of each index: bounded time on a Pi.
    await store.execute("PRAGMA analysis_limit=400");
    const stats = await store.execute(
      "SELECT 1 FROM sqlite_master WHERE type='table' AND name='sqlite_stat1'",
    );
    const analyzed = stats.rows.length === 0;
    if (analyzed) await store.execute("ANALYZE");
    await store.execute("PRAGMA optimize");

    const p = this.#policy;
    const prune = await pruneAcknowledged(store, startedAt - p.retentionDays * DAY_MS);
    const slowQueries = await trimDiagnostics(store, "slow_queries", p.slowQueries, startedAt);
    const healthSamples = await trimDiagnostics(store, "health_samples", p.healthSamples, startedAt);

    const before = await spaceStats(store);
    const vacuumDue = before.freelistCount > 0 && before.freelistRatio >= p.vacuumFreelistRatio;
    const pagesFreed = vacuumDue ? await incrementalVacuum(store, p.vacuumStepPages) : 0;
    const after = await spaceStats(store);

    // Vacuumed pages reach the file only through the WAL, so check its size after vacuuming.
    const walBefore = this.#walBytes();
    const checkpointed = walBefore > p.walCheckpointBytes;
    if (checkpointed) await checkpointWal(store);

    const report: MaintenanceReport = {
      startedAt,
      durationMs: this.#clock() - startedAt,
      analyzed,
      pragmasReapplied: reapplied,
      ackedSeq: prune.ackedSeq,
      pruned: { observations: prune.deleted, slowQueries, healthSamples },
      vacuum: {
        ran: vacuumDue,
        pagesFreed,
        freelistBefore: before.freelistCount,
        freelistAfter: after.freelistCount,
        pageCount: after.pageCount,
      },
      wal: { bytesBefore: walBefore, checkpointed, bytesAfter: this.#walBytes() },
    };
    this.#lastReport = report;
    return report;
  }

  #walBytes(): number {
    return fileBytes(`${this.#store.path}-wal`);
  }
}
