import type { Client } from "@libsql/client";
import {
  type DeltaBatch,
  decodeLandedBatch,
  WireError,
  type WireLimits,
} from "@piwardrive/shared-schema/wire";
import { type AlertRules, DEFAULT_ALERT_RULES } from "../alerts/alert-rules.js";
import { isDataError } from "../db/db-errors.js";
import { NotFoundError, PoisonBatchError } from "../errors.js";
import { DEFAULT_FLEET_THRESHOLDS } from "../fleet/fleet-thresholds.js";
import { type BatchKey, KEY_WHERE, keyArgs } from "./batch-key.js";
import { mergePlan } from "./merge-statements.js";

export type MergeOutcome =
  /** `receivedAt` (landing) and `mergedAt` (the merge's clock) give the pipeline's lag. */
  | { status: "merged"; insertedCount: number; receivedAt: number; mergedAt: number }
  /** Nothing to do: an earlier run (or a concurrent one) already merged it. */
  | { status: "already_merged"; insertedCount: number };

export interface MergeBatchInput {
  db: Client;
  key: BatchKey;
  limits?: WireLimits;
  now?: () => number;
  /** The network alert rules' thresholds (default DEFAULT_ALERT_RULES). */
  alertRules?: AlertRules;
  /** Health samples and track points older than this are not stored (default DEFAULT_HEALTH_RETENTION_MS). */
  healthRetentionMs?: number;
}

/** How long device_health and device_tracks keep rows unless configured (PIWARDRIVE_DEVICE_HEALTH_DAYS). */
export const DEFAULT_HEALTH_RETENTION_MS = DEFAULT_FLEET_THRESHOLDS.healthRetentionMs;

/**
 * Merges one landed batch into observations, networks, network_devices and the device's health tables.
 *
 * Safe to run any number of times, concurrently too: the whole merge is one write transaction
 * (mergePlan) that stages only observations not yet stored, so a second run inserts and counts
 * nothing and cannot overwrite `inserted_count`. A batch that cannot be decoded or stored is marked
 * `failed` with its reason and reported as PoisonBatchError (the worker turns that into "do not retry");
 * a busy or closed database propagates as is, so the job is retried.
 */
export async function mergeBatch(input: MergeBatchInput): Promise<MergeOutcome> {
  const { db, key } = input;
  const now = input.now ?? Date.now;
  const rs = await db.execute({
    sql: `SELECT status, payload, content_encoding, inserted_count, error, received_at FROM landed_batches WHERE ${KEY_WHERE}`,
    args: [...keyArgs(key)],
  });
  const row = rs.rows[0];
  if (row === undefined) throw new NotFoundError(`no landed batch ${JSON.stringify(key)}`);
  if (row.status === "merged") return { status: "already_merged", insertedCount: Number(row.inserted_count) };
  if (row.status === "failed") throw new PoisonBatchError(`batch failed earlier: ${String(row.error)}`);

  let batch: DeltaBatch;
  try {
    // The API decoded and validated these bytes before landing them: skip the columnar schema pass.
    batch = await decodeLandedBatch(toBytes(row.payload), String(row.content_encoding), input.limits);
    if (batch.deviceId !== key.deviceId || batch.runId !== key.runId || batch.batchSeq !== key.batchSeq) {
      throw new PoisonBatchError("payload does not match its landing key");
    }
  } catch (error) {
    if (!(error instanceof WireError) && !(error instanceof PoisonBatchError)) throw error;
    const reason = error instanceof WireError ? `${error.code}: ${error.message}` : error.message;
    await markFailed(db, key, reason, now());
    throw new PoisonBatchError(reason, { cause: error });
  }

  let results: Awaited<ReturnType<Client["batch"]>>;
  const mergedAt = now();
  const plan = mergePlan(key, batch.observations, mergedAt, input.alertRules ?? DEFAULT_ALERT_RULES, {
    health: batch.health,
    gpsTrack: batch.gpsTrack,
    keepSince: mergedAt - (input.healthRetentionMs ?? DEFAULT_HEALTH_RETENTION_MS),
  });
  try {
    results = await db.batch(plan.statements, "write");
  } catch (error) {
    if (!isDataError(error)) throw error;
    const reason = `cannot store: ${error instanceof Error ? error.message : String(error)}`;
    await markFailed(db, key, reason, now());
    throw new PoisonBatchError(reason, { cause: error });
  }
  const inserted = results[plan.inserted]?.rowsAffected ?? 0;
  if ((results[plan.marked]?.rowsAffected ?? 0) === 0) {
    return { status: "already_merged", insertedCount: inserted };
  }
  return { status: "merged", insertedCount: inserted, receivedAt: Number(row.received_at), mergedAt };
}

/** Marks a batch that can never merge; a batch already merged is left alone. */
export async function markFailed(db: Client, key: BatchKey, reason: string, now: number): Promise<void> {
  await db.execute({
    sql: `UPDATE landed_batches SET status = 'failed', error = ?, merged_at = ? WHERE ${KEY_WHERE} AND status <> 'merged'`,
    args: [reason.slice(0, 1000), now, ...keyArgs(key)],
  });
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value instanceof Uint8Array) return value;
  throw new PoisonBatchError("stored payload is not a blob");
}
