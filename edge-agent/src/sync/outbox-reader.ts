import {
  DEFAULT_WIRE_LIMITS,
  type DeltaBatch,
  type EncodedBatch,
  encodeDeltaBatch,
  WIRE_VERSION,
  type WireEncoding,
  type WireLimits,
} from "@piwardrive/shared-schema/wire";
import type { EdgeStore } from "../store/edge-store.js";
import {
  countAfter,
  fixesBetween,
  healthBetween,
  type OutboxFix,
  type OutboxHealth,
  type OutboxObservation,
  observationsAfter,
  observationsOfRun,
} from "./outbox-rows.js";
import type { BatchPlan, SyncLedger } from "./sync-ledger.js";

export interface OutboxOptions {
  deviceId: string;
  /** Observations per batch (the wire allows 100,000). */
  maxRows?: number;
  /** Compressed bytes per batch; a batch over it is cut in half until it fits. */
  maxBytes?: number;
  /** A partial batch waits this long for more rows before it goes anyway (unless flushing). */
  maxAgeMs?: number;
  maxFixes?: number;
  maxHealth?: number;
  encoding?: WireEncoding;
  /** The receiver's caps: a batch's JSON must inflate under maxDecompressedBytes. */
  limits?: WireLimits;
  now?: () => number;
}

/** A batch ready to upload: its durable plan and its encoded body. */
export interface ReadyBatch {
  plan: BatchPlan;
  encoded: EncodedBatch;
}

const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/**
 * Cuts the outbox (observations with seq > acked_seq) into batches. A batch holds one run's consecutive
 * rows (each row keeps its own run_id: rows written after a rollback reuse seqs under a new run), up
 * to maxRows and maxBytes; GPS fixes and health samples recorded since the previous batch ride along,
 * by row id. Plans are persisted before they are returned, and an unacknowledged plan is reloaded
 * (`load`) and resent with the same batch_seq and exactly the same rows.
 */
export class OutboxReader {
  #store: EdgeStore;
  #ledger: SyncLedger;
  #o: Required<OutboxOptions>;
  #waiting: { seq: number; since: number } | null = null;

  constructor(store: EdgeStore, ledger: SyncLedger, options: OutboxOptions) {
    this.#store = store;
    this.#ledger = ledger;
    this.#o = {
      maxRows: 5_000,
      maxBytes: 1024 * 1024,
      maxAgeMs: 30_000,
      maxFixes: 5_000,
      maxHealth: 1_000,
      encoding: "gzip",
      limits: DEFAULT_WIRE_LIMITS,
      now: Date.now,
      ...options,
    };
    this.#o.maxRows = clamp(this.#o.maxRows, 100_000);
    this.#o.maxFixes = clamp(this.#o.maxFixes, 100_000);
    this.#o.maxHealth = clamp(this.#o.maxHealth, 10_000);
  }

  /** Observations not yet acknowledged. */
  async backlog(): Promise<number> {
    return countAfter(this.#store, (await this.#ledger.state()).ackedSeq);
  }

  /** Re-reads and re-encodes a persisted plan. */
  async load(plan: BatchPlan): Promise<ReadyBatch> {
    const rows = await observationsOfRun(this.#store, plan.runId, plan.firstSeq, plan.lastSeq);
    const fixes = await fixesBetween(this.#store, plan.fixAfterId, plan.fixLastId, NO_LIMIT);
    const health = await healthBetween(this.#store, plan.healthAfterId, plan.healthLastId, NO_LIMIT);
    return { plan, encoded: await encodeDeltaBatch(this.#batch(plan, rows, fixes, health), this.#o) };
  }

  /**
   * Plans, persists and encodes the next batch after the last planned one; null when there is nothing
   * to send, or (unless `flush`) when only a partial batch is there and it is younger than maxAgeMs.
   * Throws WireError("invalid_batch") when stored rows are not valid for the wire.
   */
  async next(flush: boolean): Promise<ReadyBatch | null> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const state = await this.#ledger.state();
      const last = (await this.#ledger.plans()).at(-1);
      const cursor = {
        seq: last?.lastSeq ?? state.ackedSeq,
        fixId: last?.fixLastId ?? state.ackedFixId,
        healthId: last?.healthLastId ?? state.ackedHealthId,
        batchSeq: Math.max(state.nextBatchSeq, (last?.batchSeq ?? 0) + 1),
      };
      const candidates = await observationsAfter(this.#store, cursor.seq, this.#o.maxRows + 1);
      const runId = candidates[0]?.runId;
      if (runId === undefined) return null;
      let rows = candidates.slice(0, this.#o.maxRows);
      const cut = rows.findIndex((r) => r.runId !== runId);
      if (cut >= 0) rows = rows.slice(0, cut);
      // Full, or the run ended (a row of another run follows): no reason to wait for more.
      const complete = rows.length === this.#o.maxRows || rows.length < candidates.length;
      if (!complete && !flush && !this.#oldEnough(cursor.seq)) return null;
      let fixes = await fixesBetween(this.#store, cursor.fixId, NO_LIMIT, this.#o.maxFixes);
      let health = await healthBetween(this.#store, cursor.healthId, NO_LIMIT, this.#o.maxHealth);
      for (;;) {
        const plan: BatchPlan = {
          batchSeq: cursor.batchSeq,
          runId,
          firstSeq: rows[0]?.seq ?? cursor.seq + 1,
          lastSeq: rows.at(-1)?.seq ?? cursor.seq + 1,
          observationCount: rows.length,
          fixAfterId: cursor.fixId,
          fixLastId: fixes.at(-1)?.id ?? cursor.fixId,
          healthAfterId: cursor.healthId,
          healthLastId: health.at(-1)?.id ?? cursor.healthId,
        };
        const encoded = await encodeDeltaBatch(this.#batch(plan, rows, fixes, health), this.#o);
        const fits =
          encoded.body.byteLength <= this.#o.maxBytes &&
          encoded.jsonBytes <= this.#o.limits.maxDecompressedBytes;
        if (fits || (rows.length <= 1 && fixes.length === 0 && health.length === 0)) {
          if (!(await this.#ledger.commitPlan(plan))) break; // another process planned it: look again
          this.#waiting = null;
          return { plan, encoded };
        }
        rows = rows.slice(0, Math.ceil(rows.length / 2));
        fixes = fixes.slice(0, Math.floor(fixes.length / 2));
        health = health.slice(0, Math.floor(health.length / 2));
      }
    }
    throw new Error(
      `sync target ${this.#ledger.target}: batch planning keeps conflicting with another process`,
    );
  }

  /** A partial batch goes once the agent has seen it waiting for maxAgeMs (agent time: no trust in seenAt). */
  #oldEnough(seq: number): boolean {
    const now = this.#o.now();
    if (this.#waiting?.seq !== seq) this.#waiting = { seq, since: now };
    return now - this.#waiting.since >= this.#o.maxAgeMs;
  }

  #batch(
    plan: BatchPlan,
    rows: readonly OutboxObservation[],
    fixes: readonly OutboxFix[],
    health: readonly OutboxHealth[],
  ): DeltaBatch {
    return {
      version: WIRE_VERSION,
      deviceId: this.#o.deviceId,
      runId: plan.runId,
      batchSeq: plan.batchSeq,
      firstSeq: plan.firstSeq,
      lastSeq: plan.lastSeq,
      observations: rows.map(({ runId: _run, ...o }) => o),
      gpsTrack: fixes.map(({ id: _id, ...f }) => f),
      health: health.map(({ id: _id, ...h }) => h),
    };
  }
}

const clamp = (value: number, max: number) => Math.min(max, Math.max(1, Math.floor(value)));
